"""The bucket that keeps the audit log's daily digests, locked against change and deletion.

Why: a digest proves what the audit log held only if nobody can rewrite it afterwards, the
roles that write the table least of all. The bucket has S3 Object Lock with a default
retention in COMPLIANCE mode (`AuditDigestRetentionDays`, at least 180 days, 等保's floor for
audit records; 400 by default, as long as the entries themselves live): until it ends no one,
the account's root included, can delete or overwrite a stored version, and the retention
cannot be shortened. The bucket policy lets only the digest function's role put objects,
refuses every delete, and refuses plain HTTP; public access is blocked and objects are
encrypted at rest. Object Lock needs versioning; a version put over a digest later (which the
policy refuses) would not replace it: verification reads the first version.
"""

from __future__ import annotations

from infra.cfn.fragment import Fragment, arn_below, fragment, get_att, ref
from infra.cfn.names import AUDIT_DIGEST, AUDIT_DIGEST_BUCKET, Stack

MIN_RETENTION_DAYS = 180  # 等保 level 3 and the Cybersecurity Law: audit records ≥ 6 months
DEFAULT_RETENTION_DAYS = 400  # the entries' own TTL: every day stays verifiable while it lasts
RETENTION_PARAMETER = "AuditDigestRetentionDays"


def audit_digest_bucket(stack: Stack) -> Fragment:
    objects = arn_below(AUDIT_DIGEST_BUCKET, "/*")
    return fragment(
        Parameters={
            RETENTION_PARAMETER: {
                "Type": "Number",
                "Default": DEFAULT_RETENTION_DAYS,
                "MinValue": MIN_RETENTION_DAYS,
                "MaxValue": 3650,
                "Description": "Days each audit digest is locked (S3 Object Lock, compliance "
                "mode: not even the account's root can delete it sooner); at least 180",
            }
        },
        Resources={
            AUDIT_DIGEST_BUCKET: {
                "Type": "AWS::S3::Bucket",
                "DeletionPolicy": "Retain",
                "UpdateReplacePolicy": "Retain",
                "Properties": {
                    "ObjectLockEnabled": True,
                    "ObjectLockConfiguration": {
                        "ObjectLockEnabled": "Enabled",
                        "Rule": {
                            "DefaultRetention": {
                                "Mode": "COMPLIANCE",
                                "Days": ref(RETENTION_PARAMETER),
                            }
                        },
                    },
                    "VersioningConfiguration": {"Status": "Enabled"},
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
                    "Tags": [{"Key": "vmehr:data", "Value": "audit-digests"}],
                },
            },
            f"{AUDIT_DIGEST_BUCKET}Policy": {
                "Type": "AWS::S3::BucketPolicy",
                "Properties": {
                    "Bucket": ref(AUDIT_DIGEST_BUCKET),
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Sid": "DenyWithoutTls",
                                "Effect": "Deny",
                                "Principal": "*",
                                "Action": "s3:*",
                                "Resource": [get_att(AUDIT_DIGEST_BUCKET, "Arn"), objects],
                                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                            },
                            {
                                "Sid": "OnlyTheDigestFunctionWrites",
                                "Effect": "Deny",
                                "Principal": "*",
                                "Action": "s3:PutObject",
                                "Resource": objects,
                                "Condition": {
                                    "ArnNotEquals": {
                                        "aws:PrincipalArn": get_att(AUDIT_DIGEST.role_id, "Arn")
                                    }
                                },
                            },
                            {
                                "Sid": "NoDeletes",
                                "Effect": "Deny",
                                "Principal": "*",
                                "Action": ["s3:DeleteObject", "s3:DeleteObjectVersion"],
                                "Resource": objects,
                            },
                        ],
                    },
                },
            },
        },
        Outputs={"AuditDigestBucketName": {"Value": ref(AUDIT_DIGEST_BUCKET)}},
    )
