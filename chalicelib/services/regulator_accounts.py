"""Regulator accounts: create (with TOTP enrolment), reset password, reset TOTP, disable, list.

Why: an administrator of a stack (province_admin on a province, ministry_admin on the
ministry) manages the accounts of that stack. A new password and a new TOTP secret are shown
exactly once; only the scrypt hash and the sealed secret are kept. Every change bumps the
account's generation, so the tokens issued before it stop at once, and every action is audited.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass

from chalicelib.domain.access_policy import StackKind, parse_role, validate_assignment
from chalicelib.domain.credentials import hash_secret, new_secret
from chalicelib.domain.regulator_account import (
    MIN_PASSWORD_LENGTH,
    USERNAME_PATTERN,
    RegulatorAccount,
    normalize_username,
)
from chalicelib.domain.totp import new_totp_secret, provisioning_uri
from chalicelib.errors import ConflictError, FieldError, NotFoundError, ValidationFailedError
from chalicelib.services.audit import Actor, AuditTrail
from chalicelib.services.auth import totp_context
from chalicelib.services.ports import AccountRepository, Clock, SecretBox


@dataclass(frozen=True)
class Enrolment:
    """What the new holder of an account needs, shown once: password and/or TOTP secret."""

    account: RegulatorAccount
    password: str | None = None
    totp_secret: str | None = None
    totp_uri: str | None = None

    def view(self) -> dict[str, object]:
        shown = {
            "password": self.password,
            "totp_secret": self.totp_secret,
            "totp_uri": self.totp_uri,
        }
        return {**self.account.public_view(), **{k: v for k, v in shown.items() if v}}


class RegulatorAccountService:
    def __init__(
        self,
        accounts: AccountRepository,
        box: SecretBox,
        audit: AuditTrail,
        clock: Clock,
        *,
        stack: StackKind,
        province_code: str,
    ) -> None:
        self._accounts = accounts
        self._box = box
        self._audit = audit
        self._clock = clock
        self._stack = stack
        self._province = province_code

    @property
    def issuer(self) -> str:
        """The name an authenticator app shows beside the code."""
        return "vmehr-ministry" if self._stack == "ministry" else f"vmehr-{self._province}"

    def create(
        self,
        actor: Actor,
        username: str,
        role: str,
        divisions: Iterable[str] = (),
        *,
        password: str | None = None,
        totp_secret: str | None = None,
    ) -> Enrolment:
        """Create an account; returns the generated password (unless one was given) and the
        TOTP secret with its otpauth:// URI.

        Raises ValidationFailedError (username, role, divisions, password) or ConflictError.
        """
        username = normalize_username(username)
        errors = []
        if not USERNAME_PATTERN.match(username):
            errors.append(
                FieldError("username", "pattern", "2-64 characters: a-z, 0-9, '.', '_', '-'")
            )
        if password is not None and len(password) < MIN_PASSWORD_LENGTH:
            errors.append(
                FieldError(
                    "password", "min_length", f"use at least {MIN_PASSWORD_LENGTH} characters"
                )
            )
        parsed = parse_role(role)
        if parsed is None:
            errors.append(FieldError("role", "enum", f"unknown role {role!r}"))
        if errors:
            raise ValidationFailedError(errors)
        assert parsed is not None
        codes = validate_assignment(parsed, divisions, self._stack, self._province)
        shown_password = new_secret() if password is None else None
        secret = totp_secret or new_totp_secret()
        now = self._clock.now()
        account = RegulatorAccount(
            username=username,
            role=parsed.value,
            divisions=codes,
            password_hash=hash_secret(password or shown_password or ""),
            totp_sealed=self._box.seal(secret, totp_context(username)),
            generation=1,
            disabled=False,
            created_at=now,
            updated_at=now,
            created_by=actor.actor_id,
        )
        self._accounts.create_regulator(account)
        self._audit.record(
            actor, "account.create", username, {"role": account.role, "divisions": list(codes)}
        )
        return Enrolment(account, shown_password, secret, self._uri(secret, username))

    def reset_password(self, actor: Actor, username: str) -> Enrolment:
        password = new_secret()
        account = self._change(username, password_hash=hash_secret(password))
        self._audit.record(actor, "account.reset_password", account.username)
        return Enrolment(account, password=password)

    def reset_totp(self, actor: Actor, username: str) -> Enrolment:
        secret = new_totp_secret()
        account = self._get(username)
        account = self._change(
            username, totp_sealed=self._box.seal(secret, totp_context(account.username))
        )
        self._audit.record(actor, "account.reset_totp", account.username)
        return Enrolment(account, totp_secret=secret, totp_uri=self._uri(secret, username))

    def set_disabled(self, actor: Actor, username: str, disabled: bool) -> RegulatorAccount:
        """Disable (tokens end now) or enable an account. Nobody disables their own account."""
        username = normalize_username(username)
        if disabled and actor.actor_id == f"regulator:{username}":
            raise ConflictError("you cannot disable your own account", code="own_account")
        account = self._get(username)
        if account.disabled == disabled:
            return account
        changed = self._change(username, disabled=disabled)
        self._audit.record(actor, "account.disable" if disabled else "account.enable", username)
        return changed

    def list(self, actor: Actor) -> list[RegulatorAccount]:
        self._audit.record(actor, "account.list", "*")
        return sorted(self._accounts.list_regulators(), key=lambda a: a.username)

    def get(self, actor: Actor, username: str) -> RegulatorAccount:
        account = self._get(username)
        self._audit.record(actor, "account.read", account.username)
        return account

    def _get(self, username: str) -> RegulatorAccount:
        account = self._accounts.regulator(normalize_username(username)[:64])
        if account is None:
            raise NotFoundError("no such account")
        return account

    def _change(self, username: str, **changes: object) -> RegulatorAccount:
        account = self._get(username)
        changed = dataclasses.replace(
            account,
            generation=account.generation + 1,
            updated_at=self._clock.now(),
            **changes,  # type: ignore[arg-type]
        )
        self._accounts.replace_regulator(changed, expected_generation=account.generation)
        return changed

    def _uri(self, secret: str, username: str) -> str:
        return provisioning_uri(secret, username, self.issuer)
