"""TOTP codes (RFC 6238 test vector, drift window) and the sealed storage of their secrets."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.adapters.secret_box import AesGcmSecretBox, SecretBoxKeyMissingError
from chalicelib.domain.totp import matching_step, provisioning_uri, time_step

# RFC 6238 appendix B: the SHA-1 secret "12345678901234567890"; at T=59 s the 8-digit code is
# 94287082, so the 6-digit code is its last six digits.
RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()
RFC_TIME = datetime.fromtimestamp(59, UTC)


def test_the_rfc_6238_vector_matches_its_time_step():
    assert matching_step(RFC_SECRET, "287082", RFC_TIME) == time_step(RFC_TIME) == 1


def test_one_step_of_drift_either_way_is_tolerated_and_no_more():
    code = "287082"  # the code of step 1
    assert matching_step(RFC_SECRET, code, RFC_TIME + timedelta(seconds=30)) == 1
    assert matching_step(RFC_SECRET, code, RFC_TIME - timedelta(seconds=30)) == 1
    assert matching_step(RFC_SECRET, code, RFC_TIME + timedelta(seconds=60)) is None


def test_malformed_codes_match_nothing():
    for code in ("", "28708", "2870821", "28708a", "      "):
        assert matching_step(RFC_SECRET, code, RFC_TIME) is None


def test_the_uri_names_account_and_issuer():
    uri = provisioning_uri(RFC_SECRET, "admin", "vmehr-320000")
    assert uri.startswith("otpauth://totp/vmehr-320000:admin?")
    assert f"secret={RFC_SECRET}" in uri


def test_a_sealed_secret_opens_only_with_its_key_and_account():
    box = AesGcmSecretBox("k" * 40)
    sealed = box.seal(RFC_SECRET, "totp:admin")
    assert RFC_SECRET not in sealed
    assert box.open(sealed, "totp:admin") == RFC_SECRET
    assert box.open(sealed, "totp:mallory") is None
    assert AesGcmSecretBox("x" * 40).open(sealed, "totp:admin") is None
    tampered = sealed[:-2] + ("AA" if not sealed.endswith("AA") else "BB")
    assert box.open(tampered, "totp:admin") is None
    assert box.open("garbage", "totp:admin") is None


def test_sealing_without_a_key_is_refused():
    with pytest.raises(SecretBoxKeyMissingError):
        AesGcmSecretBox(None).seal(RFC_SECRET, "totp:admin")
