"""Time-based one-time passwords (RFC 6238): the regulators' second factor.

Why: 等保 level 3 asks for two factors for administrators. A TOTP app on a phone needs no SMS
gateway and no network. pyotp (a small, pure-Python, well-kept implementation) computes the
codes; this module adds what pyotp leaves to its caller: which time step a code matched, so an
accepted code can never be used twice (replay protection), and a tolerance of one step either
side for clock drift.
"""

from __future__ import annotations

import hmac
from datetime import datetime

STEP_SECONDS = 30
DIGITS = 6
DRIFT_STEPS = 1


def new_totp_secret() -> str:
    """A fresh base32 secret of 160 bits (what authenticator apps expect)."""
    import pyotp

    return str(pyotp.random_base32())


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    """The otpauth:// URI an authenticator app reads (usually from a QR code)."""
    import pyotp

    return str(pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=issuer))


def current_code(secret: str, at: datetime) -> str:
    import pyotp

    return str(pyotp.TOTP(secret).at(at))


def time_step(at: datetime) -> int:
    return int(at.timestamp()) // STEP_SECONDS


def matching_step(secret: str, code: str, at: datetime) -> int | None:
    """The time step whose code equals `code` (now, one before or one after), else None.

    Every candidate is compared in constant time, whether or not an earlier one matched.
    """
    import pyotp

    code = code.strip().replace(" ", "")
    if len(code) != DIGITS or not code.isdigit() or not secret:
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)
    now = time_step(at)
    found = None
    for step in range(max(now - DRIFT_STEPS, 0), now + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step).encode(), code.encode()) and found is None:
            found = step
    return found
