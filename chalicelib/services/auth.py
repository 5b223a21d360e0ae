"""Authentication: secrets for tokens, and tokens back to principals.

Why: both front doors and the regulator API share one scheme. A login checks the slow hash and
counts failures per principal (locked out after too many, whether or not the principal
exists); a token is a random ticket stored hashed with a TTL and carries the credential
generation, so rotating a shop's secret ends its old tokens at once.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from chalicelib.domain.credentials import new_token, token_digest, verify_secret
from chalicelib.domain.principal import Principal
from chalicelib.domain.shop import COMPANYCODE_PATTERN, Shop
from chalicelib.errors import AuthenticationError, LockedOutError
from chalicelib.services.ports import AccountRepository, Clock, ShopRepository, TokenStore


class UnknownPrincipalError(AuthenticationError):
    """No such shop or account. The REST door answers it exactly like a wrong secret."""

    code = "unknown_principal"


class WrongSecretError(AuthenticationError):
    code = "wrong_secret"


class TokenCache:
    """In-process cache of token → principal, never beyond the token's own expiry."""

    def __init__(self, max_entries: int = 2048) -> None:
        self._entries: dict[str, Principal] = {}
        self._lock = threading.Lock()
        self._max = max_entries

    def get(self, digest: str, now: datetime) -> Principal | None:
        principal = self._entries.get(digest)
        if principal is not None and principal.expires_at <= now:
            with self._lock:
                self._entries.pop(digest, None)
            return None
        return principal

    def forget(self, digest: str) -> None:
        with self._lock:
            self._entries.pop(digest, None)

    def put(self, digest: str, principal: Principal) -> None:
        with self._lock:
            if len(self._entries) >= self._max:
                self._entries.pop(next(iter(self._entries)))
            self._entries[digest] = principal


class AuthService:
    def __init__(
        self,
        *,
        shops: ShopRepository,
        accounts: AccountRepository,
        tokens: TokenStore,
        cache: TokenCache,
        clock: Clock,
        token_ttl_seconds: int,
        max_failures: int,
        lockout_seconds: int,
    ) -> None:
        self._shops = shops
        self._accounts = accounts
        self._tokens = tokens
        self._cache = cache
        self._clock = clock
        self._ttl = token_ttl_seconds
        self._max_failures = max_failures
        self._lockout = lockout_seconds

    def shop_token(self, companycode: str, secret: str) -> tuple[str, Principal]:
        """Exchange a shop's companycode and secret for a bearer token.

        Raises UnknownPrincipalError, WrongSecretError or LockedOutError.
        """
        companycode = companycode.strip()
        if not COMPANYCODE_PATTERN.match(companycode):
            verify_secret(secret, None)
            raise UnknownPrincipalError("unknown companycode or wrong secret")
        failures = self._check_lockout("shop", companycode)
        shop = self._shops.get(companycode, consistent=True)
        stored = self._shops.secret_hash(companycode) if shop else None
        if not verify_secret(secret, stored) or shop is None:
            self._fail("shop", companycode, known=shop is not None)
        assert shop is not None
        return self._issue("shop", companycode, "shop", shop.credential_generation, failures)

    def regulator_token(self, username: str, password: str) -> tuple[str, Principal]:
        username = username.strip().lower()
        if not username or len(username) > 64:
            verify_secret(password, None)
            raise UnknownPrincipalError("unknown account or wrong password")
        failures = self._check_lockout("regulator", username)
        account = self._accounts.regulator(username)
        if not verify_secret(password, account["password_hash"] if account else None):
            self._fail("regulator", username, known=account is not None)
        assert account is not None
        generation = int(account["generation"])
        return self._issue("regulator", username, account["role"], generation, failures)

    def province_token(self, province_code: str, secret: str) -> tuple[str, Principal]:
        """Ministry side: a province's exchange credential for a token bound to its code."""
        province_code = province_code.strip()
        if len(province_code) != 6 or not province_code.isdigit():
            verify_secret(secret, None)
            raise UnknownPrincipalError("unknown province or wrong secret")
        failures = self._check_lockout("province", province_code)
        credential = self._accounts.exchange_credential(province_code)
        usable = credential is not None and not credential.get("revoked")
        stored = credential["secret_hash"] if credential and usable else None
        if not verify_secret(secret, stored):
            self._fail("province", province_code, known=credential is not None)
        assert credential is not None
        generation = int(credential["generation"])
        return self._issue("province", province_code, "province", generation, failures)

    def resolve(self, token: str) -> Principal:
        """The principal behind a bearer token. Raises AuthenticationError, saying nothing more."""
        now = self._clock.now()
        if not token or len(token) > 128:
            raise AuthenticationError("missing or invalid token")
        digest = token_digest(token)
        principal = self._cache.get(digest, now)
        if principal is None:
            principal = self._tokens.get(digest)
            if principal is None or principal.expires_at <= now:
                raise AuthenticationError("missing or invalid token")
            self._cache.put(digest, principal)
        return principal

    def revoke(self, token: str) -> None:
        """End a token now (sign-out); unknown or empty tokens are ignored."""
        if not token or len(token) > 128:
            return
        digest = token_digest(token)
        self._cache.forget(digest)
        self._tokens.delete(digest)

    def shop_of(self, principal: Principal) -> Shop:
        """The calling shop, refusing tokens issued before its secret was rotated."""
        if principal.kind != "shop":
            raise AuthenticationError("missing or invalid token")
        shop = self._shops.get(principal.principal_id, consistent=True)
        if shop is None or shop.credential_generation != principal.generation:
            raise AuthenticationError("missing or invalid token")
        return shop

    def _issue(
        self, kind: str, principal_id: str, role: str, generation: int, earlier_failures: int
    ) -> tuple[str, Principal]:
        now = self._clock.now()
        if earlier_failures:
            self._tokens.clear_failures(kind, principal_id)
        token = new_token()
        principal = Principal(
            kind=kind,  # type: ignore[arg-type]
            principal_id=principal_id,
            role=role,
            generation=generation,
            expires_at=now + timedelta(seconds=self._ttl),
        )
        self._tokens.put(token_digest(token), principal)
        return token, principal

    def _check_lockout(self, kind: str, principal_id: str) -> int:
        failures = self._tokens.failures(kind, principal_id, self._clock.now())
        if failures >= self._max_failures:
            raise LockedOutError("too many failed logins; try again later", self._lockout)
        return failures

    def _fail(self, kind: str, principal_id: str, *, known: bool) -> None:
        self._tokens.add_failure(kind, principal_id, self._clock.now(), self._lockout)
        if known:
            raise WrongSecretError("unknown principal or wrong secret")
        raise UnknownPrincipalError("unknown principal or wrong secret")
