"""Administrator commands of a stack (run with the stack's environment: TABLE_NAME, ...).

    python -m infra.admin create-regulator --username admin          # first regulator account
    python -m infra.admin create-exchange-credential --province 320000  # on the ministry stack
    python -m infra.admin redrive                                    # on a province stack

Passwords are read from the terminal (or --password-stdin) and stored only as scrypt hashes;
an exchange secret is printed once and must be configured as the province's EXCHANGE_SECRET.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from chalicelib.config import get_settings
from infra.seed import REGULATOR_ROLES, create_exchange_credential, create_regulator


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.admin")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-regulator", help="create a regulator account")
    create.add_argument("--username", required=True)
    create.add_argument("--role", default="province_admin", choices=REGULATOR_ROLES)
    create.add_argument("--password-stdin", action="store_true")
    exchange = commands.add_parser(
        "create-exchange-credential", help="ministry: issue or rotate a province's credential"
    )
    exchange.add_argument("--province", required=True)
    commands.add_parser("redrive", help="province: send parked changes to the ministry again")
    args = parser.parse_args(argv)
    if args.command == "create-regulator":
        return _create_regulator(args)
    if args.command == "create-exchange-credential":
        secret = create_exchange_credential(get_settings().table_name, args.province)
        print(f"exchange secret for {args.province} (shown once): {secret}")
        return 0
    return _redrive()


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
    create_regulator(get_settings().table_name, args.username, password, args.role)
    print(f"regulator {args.username.lower()} ({args.role}) created in {get_settings().table_name}")
    return 0


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
