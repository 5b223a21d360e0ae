"""Administrator commands of a stack (run with the stack's environment: TABLE_NAME, ...).

    python -m infra.admin create-regulator --username admin          # first regulator account
    python -m infra.admin create-regulator --username li --role district_officer \
        --division 320102 --division 320104                          # a district officer
    python -m infra.admin reset-totp --username admin                # break-glass: new TOTP secret
    python -m infra.admin totp --secret <base32 secret>              # the current 6-digit code
    python -m infra.admin create-exchange-credential --province 320000  # on the ministry stack
    python -m infra.admin redrive                                    # on a province stack
    python -m infra.admin recount-registry [--province 320000]       # ministry: repair counts
    python -m infra.admin audit-verify --day 2026-03-01              # the audit log vs its digest
    python -m infra.admin audit-digest --day 2026-03-01              # local: what the schedule does

Passwords are read from the terminal (or --password-stdin) and stored only as scrypt hashes.
The TOTP secret (and its otpauth:// URI for an authenticator app) is printed once and stored
sealed with TOTP_KEY. An exchange secret is printed once and must be configured as the
province's EXCHANGE_SECRET. The audit commands need AUDIT_DIGEST_BUCKET and AUDIT_DIGEST_KEY
(docs/deploy.md); their day is a UTC day, the audit log's partition. `audit-verify` prints OK
or each finding and exits 1 on any; `audit-digest` is what the daily schedule runs (deployed,
only the digest function may write the bucket: re-run a day by invoking it).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import date
from typing import TYPE_CHECKING

from chalicelib.config import get_settings
from chalicelib.errors import DomainError
from infra.seed import REGULATOR_ROLES, create_exchange_credential, create_regulator, reset_totp

if TYPE_CHECKING:  # pragma: no cover
    from chalicelib.services.audit_digest import Verification


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.admin")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-regulator", help="create a regulator account")
    create.add_argument("--username", required=True)
    create.add_argument("--role", default="province_admin", choices=REGULATOR_ROLES)
    create.add_argument("--password-stdin", action="store_true")
    create.add_argument(
        "--division", action="append", default=[], help="district officer: a 6-digit code"
    )
    reset = commands.add_parser("reset-totp", help="issue a new TOTP secret for an account")
    reset.add_argument("--username", required=True)
    code = commands.add_parser("totp", help="print the current code of a TOTP secret")
    code.add_argument("--secret", required=True)
    exchange = commands.add_parser(
        "create-exchange-credential", help="ministry: issue or rotate a province's credential"
    )
    exchange.add_argument("--province", required=True)
    commands.add_parser("redrive", help="province: send parked changes to the ministry again")
    recount = commands.add_parser(
        "recount-registry", help="ministry: recount active registry copies by class"
    )
    recount.add_argument(
        "--province", action="append", default=[], help="a province code (default: all 31)"
    )
    digest = commands.add_parser("audit-digest", help="store the audit log's digest of a day")
    digest.add_argument("--day", required=True, type=_day, help="a UTC day, YYYY-MM-DD")
    digest.add_argument(
        "--open-day",
        action="store_true",
        help="local demos: digest today as it is so far (its later entries will show as extra)",
    )
    verify = commands.add_parser("audit-verify", help="check a day of the audit log")
    verify.add_argument("--day", required=True, type=_day, help="a UTC day, YYYY-MM-DD")
    args = parser.parse_args(argv)
    if args.command in ("audit-digest", "audit-verify"):
        return _audit(args.command, args.day, getattr(args, "open_day", False))
    if args.command == "create-regulator":
        return _create_regulator(args)
    if args.command == "reset-totp":
        enrolment = reset_totp(get_settings().table_name, args.username)
        _print_totp(enrolment.totp_secret or "", enrolment.totp_uri or "")
        return 0
    if args.command == "totp":
        return _print_code(args.secret)
    if args.command == "create-exchange-credential":
        secret = create_exchange_credential(get_settings().table_name, args.province)
        print(f"exchange secret for {args.province} (shown once): {secret}")
        return 0
    if args.command == "recount-registry":
        return _recount_registry(args.province)
    return _redrive()


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError("a day is YYYY-MM-DD") from exc


def _audit(command: str, day: date, open_day: bool) -> int:
    from chalicelib.bootstrap import audit_digests
    from chalicelib.services.audit_digest import DayNotOverError

    where = f"audit log of {get_settings().province_code} on {day.isoformat()} (UTC)"
    try:
        service = audit_digests()
        if command == "audit-verify":
            return _print_verification(where, service.verify(day))
        outcome = service.write(day, open_day=open_day)
    except (RuntimeError, DayNotOverError) as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 2
    if not outcome.written:
        print(f"{where}: its digest is stored already; nothing written")
        return 0
    print(f"{where}: digest stored, {outcome.entries} entries")
    for finding in outcome.findings:
        print(f"  {finding}")
    return 1 if outcome.findings else 0


def _print_verification(where: str, report: Verification) -> int:
    if report.ok:
        against = (
            f"the digest of {report.digest_created_at}"
            if report.digest_created_at
            else "no digest yet (the day is not over): each chain checked on its own"
        )
        print(f"{where}: OK, {report.entries} entries, against {against}")
        return 0
    print(f"{where}: {len(report.findings)} findings, {report.entries} entries")
    for finding in report.findings:
        print(f"  {finding}")
    return 1


def _create_regulator(args: argparse.Namespace) -> int:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("password: ")
        if password != getpass.getpass("again: "):
            print("passwords differ", file=sys.stderr)
            return 2
    if len(password) < 12:
        print("use at least 12 characters", file=sys.stderr)
        return 2
    try:
        enrolment = create_regulator(
            get_settings().table_name, args.username, password, args.role, divisions=args.division
        )
    except DomainError as exc:
        print(f"refused: {exc.message}", file=sys.stderr)
        return 2
    account = enrolment.account
    where = f" for {', '.join(account.divisions)}" if account.divisions else ""
    table = get_settings().table_name
    print(f"regulator {account.username} ({account.role}{where}) created in {table}")
    _print_totp(enrolment.totp_secret or "", enrolment.totp_uri or "")
    return 0


def _print_totp(secret: str, uri: str) -> None:
    print("Second factor (shown once; add it to an authenticator app, e.g. as a QR code):")
    print(f"  secret: {secret}")
    print(f"  uri:    {uri}")


def _print_code(secret: str) -> int:
    from datetime import UTC, datetime

    from chalicelib.domain.totp import STEP_SECONDS, current_code

    now = datetime.now(UTC)
    try:
        code = current_code(secret.strip().replace(" ", "").upper(), now)
    except Exception:  # pyotp raises binascii.Error / ValueError for a malformed secret
        print("not a base32 TOTP secret", file=sys.stderr)
        return 2
    left = STEP_SECONDS - int(now.timestamp()) % STEP_SECONDS
    print(code)
    print(f"(valid for {left} more seconds)", file=sys.stderr)
    return 0


def _recount_registry(province_codes: list[str]) -> int:
    """Repair the ministry's registered-shop counts from its registry copies (see
    `DynamoExchangeStore.recount_active`); prints each province whose count changed."""
    from chalicelib.adapters.dynamo_exchange import DynamoExchangeStore
    from chalicelib.domain.provinces import provinces

    known = [code for code, _ in provinces()]
    unknown = [code for code in province_codes if code not in known]
    if unknown:
        print(f"not a mainland province code: {', '.join(unknown)}", file=sys.stderr)
        return 2
    store = DynamoExchangeStore(get_settings().table_name)
    changed = 0
    for code in province_codes or known:
        before, after = store.recount_active(code)
        if before != after:
            changed += 1
            print(f"{code}: {_counts_text(before)} -> {_counts_text(after)}")
    print(f"recounted {len(province_codes or known)} provinces, {changed} changed")
    return 0


def _counts_text(counts: dict[str, int]) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(counts.items())) or "none"


def _redrive() -> int:
    from chalicelib.adapters.ministry_client import MinistryClient
    from chalicelib.adapters.sqs_dead_letters import SqsDeadLetters
    from chalicelib.services.redrive import redrive

    settings = get_settings()
    if not (settings.ministry_url and settings.exchange_secret and settings.dead_letter_queue_url):
        print(
            "MINISTRY_URL, EXCHANGE_SECRET and DEAD_LETTER_QUEUE_URL must be set", file=sys.stderr
        )
        return 2
    client = MinistryClient(
        settings.ministry_url,
        settings.province_code,
        settings.exchange_secret,
        settings.exchange_timeout_seconds,
    )
    report = redrive(SqsDeadLetters(settings.dead_letter_queue_url), client)
    print(f"re-driven: {report.delivered} delivered, {report.still_refused} still refused")
    return 0 if report.still_refused == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
