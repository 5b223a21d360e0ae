"""Authentication: secrets for tokens, and tokens back to principals.

Why: both front doors and the regulator API share one scheme. Every attempt passes the
sign-in gate first (services/sign_in_gate.py: counted per source and per principal from that
source before the slow hash is checked, whether or not the principal exists); a regulator
also needs a TOTP code of a time step not used before. A token is a random ticket stored
hashed with a TTL and carries the credential generation, so rotating a shop's secret (or
changing a regulator's account) ends its old tokens at once. Each instance trusts its cached
copy of a token for 20 s at most, so a sign-out on one instance holds on all within 30 s.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import NoReturn

from chalicelib.domain.access_policy import parse_role
from chalicelib.domain.credentials import new_token, token_digest, verify_secret
from chalicelib.domain.oem import OEM_ID_PATTERN, OemAccount
from chalicelib.domain.principal import Principal
from chalicelib.domain.regulator_account import (
    USERNAME_PATTERN,
    RegulatorAccount,
    normalize_username,
)
from chalicelib.domain.shop import COMPANYCODE_PATTERN, Shop
from chalicelib.domain.source_ranges import SourceRanges, source_allowed
from chalicelib.domain.totp import matching_step
from chalicelib.errors import AuthenticationError, ForbiddenError
from chalicelib.services.audit import Actor, AuditTrail, regulator_actor_id
from chalicelib.services.ports import (
    AccountRepository,
    Clock,
    SecretBox,
    ShopRepository,
    TokenStore,
)
from chalicelib.services.sharing_ports import OemAccountStore
from chalicelib.services.sign_in_gate import Admission, SignInGate, SignInRefusedError


class UnknownPrincipalError(AuthenticationError):
    """No such shop or account. The REST door answers it exactly like a wrong secret."""

    code = "unknown_principal"


class WrongSecretError(AuthenticationError):
    code = "wrong_secret"


class SourceNotAllowedError(ForbiddenError):
    """A province's exchange request from outside its registered source ranges (403)."""

    code = "source_not_allowed"


# How long an instance trusts its cached copy of a token before it reads the token store
# again: a sign-out or revocation (which deletes the stored token) is seen by every warm
# instance within this long, under the 30 s promised. It costs one GetItem per token in use
# per warm instance every 20 s.
TOKEN_CACHE_SECONDS = 20


class TokenCache:
    """In-process cache of token → principal, for at most `max_age_seconds` and never beyond
    the token's own expiry.

    Why: every request resolves its token; the cache saves the read, and the short age bounds
    how long another instance's sign-out goes unseen here.
    """

    def __init__(self, max_entries: int = 2048, max_age_seconds: int = TOKEN_CACHE_SECONDS) -> None:
        self._entries: dict[str, tuple[Principal, datetime]] = {}
        self._lock = threading.Lock()
        self._max = max_entries
        self._max_age = timedelta(seconds=max_age_seconds)

    def get(self, digest: str, now: datetime) -> Principal | None:
        entry = self._entries.get(digest)
        if entry is None:
            return None
        principal, fresh_until = entry
        if fresh_until <= now:
            with self._lock:
                self._entries.pop(digest, None)
            return None
        return principal

    def forget(self, digest: str) -> None:
        with self._lock:
            self._entries.pop(digest, None)

    def put(self, digest: str, principal: Principal, now: datetime) -> None:
        fresh_until = min(principal.expires_at, now + self._max_age)
        with self._lock:
            if len(self._entries) >= self._max:
                self._entries.pop(next(iter(self._entries)))
            self._entries[digest] = (principal, fresh_until)


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
        gate: SignInGate,
        secret_box: SecretBox | None = None,
        audit: AuditTrail | None = None,
        province_code: str = "",
        oems: OemAccountStore | None = None,
        exchange_ranges: SourceRanges | None = None,
    ) -> None:
        self._shops = shops
        self._accounts = accounts
        self._tokens = tokens
        self._cache = cache
        self._clock = clock
        self._ttl = token_ttl_seconds
        self._gate = gate
        self._box = secret_box
        self._audit = audit
        self._province = province_code
        self._oems = oems
        self._exchange_ranges: SourceRanges = exchange_ranges or {}

    def shop_token(self, companycode: str, secret: str, *, source: str) -> tuple[str, Principal]:
        """Exchange a shop's companycode and secret, sent from `source`, for a bearer token.

        Raises UnknownPrincipalError, WrongSecretError or LockedOutError.
        """
        companycode = companycode.strip()
        if not COMPANYCODE_PATTERN.match(companycode):
            self._malformed("shop", secret, source)
        admission = self._gate.admit("shop", companycode, source)
        shop = self._shops.get(companycode, consistent=True)
        stored = self._shops.secret_hash(companycode) if shop else None
        if not verify_secret(secret, stored) or shop is None:
            self._fail(known=shop is not None)
        assert shop is not None
        return self._issue(admission, "shop", shop.credential_generation)

    def regulator_token(
        self,
        username: str,
        password: str,
        totp: str,
        *,
        origin: Actor,
        ttl_seconds: int | None = None,
    ) -> tuple[str, Principal]:
        """Password plus a TOTP code for a regulator token; every attempt is audited.

        A wrong password, a wrong, missing or already used code, an unknown or a disabled
        account all raise the same AuthenticationError and stay counted by the sign-in gate
        (per source, per account from that source, and per account from everywhere).

        Raises UnknownPrincipalError, WrongSecretError or LockedOutError.
        """
        username = normalize_username(username)[:64]
        actor = Actor(regulator_actor_id(username), origin.source_ip, "", origin.user_agent)
        if not USERNAME_PATTERN.match(username):
            self._audit_login(actor, "auth.login_failed", "malformed_username")
            self._malformed("regulator", password, origin.source_ip)
        try:
            admission = self._gate.admit(
                "regulator", username, origin.source_ip, guard_principal=True
            )
        except SignInRefusedError as exc:
            details = {"reason": "locked_out", "limit": exc.limit}
            self._audit_login(actor, "auth.login_failed", "", details)
            raise
        account = self._accounts.regulator(username)
        usable = account is not None and not account.disabled
        if not verify_secret(password, account.password_hash if account and usable else None):
            reason = "unknown_account" if account is None else "disabled_or_wrong_password"
            self._audit_login(actor, "auth.login_failed", reason)
            self._fail(known=account is not None)
        assert account is not None
        reason = self._second_factor(account, totp)
        if reason:
            self._audit_login(actor, "auth.login_failed", reason)
            self._fail(known=True)
        role = parse_role(account.role)
        token, principal = self._issue(
            admission,
            role.value if role else account.role,
            account.generation,
            divisions=account.divisions,
            ttl_seconds=ttl_seconds,
        )
        self._audit_login(
            Actor(actor.actor_id, actor.source_ip, principal.role, actor.user_agent),
            "auth.token_issued",
            "",
            {"expires_at": principal.expires_at.isoformat()},
        )
        return token, principal

    def regulator_of(self, principal: Principal) -> RegulatorAccount:
        """The calling regulator's account, refusing tokens of a changed or disabled account."""
        if principal.kind != "regulator":
            raise AuthenticationError("missing or invalid token")
        account = self._accounts.regulator(principal.principal_id)
        if account is None or account.disabled or account.generation != principal.generation:
            raise AuthenticationError("missing or invalid token")
        return account

    def _second_factor(self, account: RegulatorAccount, code: str) -> str:
        """ "" if the code is right and its time step unused, else why not (for the audit)."""
        if self._box is None or not account.totp_sealed:
            return "no_second_factor_enrolled"
        secret = self._box.open(account.totp_sealed, totp_context(account.username))
        step = matching_step(secret or "", code, self._clock.now())
        if step is None:
            return "wrong_code"
        if not self._accounts.accept_totp_step(account.username, step):
            return "replayed_code"
        return ""

    def _audit_login(
        self, actor: Actor, action: str, reason: str, details: dict[str, str] | None = None
    ) -> None:
        if self._audit is not None:
            self._audit.record(actor, action, actor.actor_id, details or {"reason": reason})

    def province_token(
        self, province_code: str, secret: str, *, source: str
    ) -> tuple[str, Principal]:
        """Ministry side: a province's exchange credential for a token bound to its code.

        A request from outside the province's registered source ranges is refused before
        anything is counted or evaluated, so no stranger can spend the province's budget.

        Raises SourceNotAllowedError, UnknownPrincipalError, WrongSecretError or LockedOutError.
        """
        province_code = province_code.strip()
        if len(province_code) != 6 or not province_code.isdigit():
            self._malformed("province", secret, source)
        self._require_province_source(province_code, source)
        admission = self._gate.admit("province", province_code, source)
        credential = self._accounts.exchange_credential(province_code)
        usable = credential is not None and not credential.revoked
        stored = credential.secret_hash if credential and usable else None
        if not verify_secret(secret, stored):
            self._fail(known=credential is not None)
        assert credential is not None
        return self._issue(admission, "province", credential.generation)

    def province_of(self, principal: Principal, *, source: str) -> str:
        """Ministry side: the calling province's code, refusing tokens issued before its
        credential was last rotated or revoked (one read per exchange batch), and tokens used
        from outside the province's source ranges (SourceNotAllowedError)."""
        if principal.kind != "province":
            raise AuthenticationError("missing or invalid token")
        self._require_province_source(principal.principal_id, source)
        credential = self._accounts.exchange_credential(principal.principal_id)
        if (
            credential is None
            or credential.revoked
            or credential.generation != principal.generation
        ):
            raise AuthenticationError("missing or invalid token")
        return principal.principal_id

    def _require_province_source(self, province_code: str, source: str) -> None:
        if not source_allowed(self._exchange_ranges, province_code, source):
            raise SourceNotAllowedError(
                "exchange requests for this province must come from its registered networks"
            )

    def oem_token(self, oem_id: str, secret: str, *, source: str) -> tuple[str, Principal]:
        """Province side: an OEM account's id and secret for a token (总对总 feed).

        Raises UnknownPrincipalError, WrongSecretError or LockedOutError.
        """
        oem_id = oem_id.strip().upper()
        if not OEM_ID_PATTERN.match(oem_id) or self._oems is None:
            self._malformed("oem", secret, source)
        admission = self._gate.admit("oem", oem_id, source)
        account = self._oems.get(oem_id)
        usable = account is not None and account.status == "active"
        stored = self._oems.secret_hash(oem_id) if usable else None
        if not verify_secret(secret, stored):
            self._fail(known=account is not None)
        assert account is not None
        return self._issue(admission, "oem", account.generation)

    def oem_of(self, principal: Principal) -> OemAccount:
        """The calling OEM's account, refusing tokens issued before its secret was rotated."""
        account = self._oems.get(principal.principal_id) if self._oems else None
        if (
            principal.kind != "oem"
            or account is None
            or account.status != "active"
            or account.generation != principal.generation
        ):
            raise AuthenticationError("missing or invalid token")
        return account

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
            self._cache.put(digest, principal, now)
        return principal

    def revoke(self, token: str) -> None:
        """End a token (sign-out): at once here, and on every other warm instance within
        TOKEN_CACHE_SECONDS; unknown or empty tokens are ignored."""
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
        self,
        admission: Admission,
        role: str,
        generation: int,
        *,
        divisions: tuple[str, ...] = (),
        ttl_seconds: int | None = None,
    ) -> tuple[str, Principal]:
        self._gate.succeeded(admission)
        now = self._clock.now()
        token = new_token()
        principal = Principal(
            kind=admission.kind,  # type: ignore[arg-type]
            principal_id=admission.principal_id,
            role=role,
            generation=generation,
            expires_at=now + timedelta(seconds=min(ttl_seconds or self._ttl, self._ttl)),
            province=self._province if admission.kind == "regulator" else "",
            divisions=divisions,
        )
        self._tokens.put(token_digest(token), principal)
        return token, principal

    def _malformed(self, kind: str, secret: str, source: str) -> NoReturn:
        """A name no principal can have: it counts against the source's budget, and the
        answer takes as long as a real check."""
        self._gate.admit(kind, "", source)
        verify_secret(secret, None)
        raise UnknownPrincipalError("unknown principal or wrong secret")

    @staticmethod
    def _fail(*, known: bool) -> NoReturn:
        """A wrong secret: its attempt stays counted by the gate (that is the failure)."""
        if known:
            raise WrongSecretError("unknown principal or wrong secret")
        raise UnknownPrincipalError("unknown principal or wrong secret")


def totp_context(username: str) -> str:
    """Associated data sealing a TOTP secret to its account."""
    return f"totp:{username}"
