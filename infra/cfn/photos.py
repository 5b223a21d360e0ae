"""The stack's private S3 bucket: complaint photo vouchers (province) and export files (both).

Why: photos and export files do not fit in DynamoDB items; they hold personal data, so the
bucket is private (public access blocked, owner-enforced objects), encrypted at rest,
reachable over TLS only, versioned against overwrites, and cleaned of old versions and failed
uploads by lifecycle rules. The API function reads and writes objects; the jobs function
writes export files below `exports/` only (functions.py). The ministry's bucket holds its
national exports.
"""

from __future__ import annotations

from infra.cfn.fragment import Fragment, arn_below, fragment, get_att, ref
from infra.cfn.names import PHOTO_BUCKET, Stack

INFREQUENT_ACCESS_AFTER_DAYS = 90  # complaints are handled within weeks; evidence stays
OLD_VERSIONS_KEPT_DAYS = 30


def photo_bucket(stack: Stack) -> Fragment:
    return fragment(
        Resources={
            PHOTO_BUCKET: {
                "Type": "AWS::S3::Bucket",
                "DeletionPolicy": "Retain",
                "UpdateReplacePolicy": "Retain",
                "Properties": {
                    "BucketEncryption": {
                        "ServerSideEncryptionConfiguration": [
                            {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
                        ]
                    },
                    "PublicAccessBlockConfiguration": {
                        "BlockPublicAcls": True,
                        "BlockPublicPolicy": True,
                        "IgnorePublicAcls": True,
                        "RestrictPublicBuckets": True,
                    },
                    "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
                    "VersioningConfiguration": {"Status": "Enabled"},
                    "LifecycleConfiguration": {
                        "Rules": [
                            {
                                "Id": "infrequent-access",
                                "Status": "Enabled",
                                "Transitions": [
                                    {
                                        "StorageClass": "STANDARD_IA",
                                        "TransitionInDays": INFREQUENT_ACCESS_AFTER_DAYS,
                                    }
                                ],
                            },
                            {
                                "Id": "old-versions-and-failed-uploads",
                                "Status": "Enabled",
                                "NoncurrentVersionExpiration": {
                                    "NoncurrentDays": OLD_VERSIONS_KEPT_DAYS
                                },
                                "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
                            },
                        ]
                    },
                    "Tags": [{"Key": "vmehr:data", "Value": "complaint-photos"}],
                },
            },
            f"{PHOTO_BUCKET}Policy": {
                "Type": "AWS::S3::BucketPolicy",
                "Properties": {
                    "Bucket": ref(PHOTO_BUCKET),
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Sid": "DenyWithoutTls",
                                "Effect": "Deny",
                                "Principal": "*",
                                "Action": "s3:*",
                                "Resource": [
                                    get_att(PHOTO_BUCKET, "Arn"),
                                    arn_below(PHOTO_BUCKET, "/*"),
                                ],
                                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                            }
                        ],
                    },
                },
            },
        },
        Outputs={"PhotoBucketName": {"Value": ref(PHOTO_BUCKET)}},
    )
