"""CSRF tokens for every form of a signed-in page.

Why: a cookie session is sent by the browser whatever page made the request, so every POST of
the console and the portal must also carry a token only our own pages know. The token is an
HMAC of the session token (which is secret and never shown), so it needs no storage, changes
with every session and cannot be guessed from outside.
"""

from __future__ import annotations

import hashlib
import hmac

CSRF_FIELD = "csrf_token"


def csrf_token(session_token: str) -> str:
    return hmac.new(session_token.encode("utf-8"), b"vmehr-csrf-v1", hashlib.sha256).hexdigest()


def csrf_valid(session_token: str, submitted: str) -> bool:
    if not session_token or not submitted:
        return False
    return hmac.compare_digest(csrf_token(session_token), submitted)
