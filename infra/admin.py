"""Administrator command: create the first regulator account of a stack.

Usage (against the stack's table; on AWS with the province's credentials, locally against moto):

    TABLE_NAME=vmehr-province-320000 python -m infra.admin create-regulator --username admin

The password is read from the terminal (or --password-stdin) and stored only as a scrypt hash.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from chalicelib.config import get_settings
from infra.seed import REGULATOR_ROLES, create_regulator


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.admin")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-regulator", help="create a regulator account")
    create.add_argument("--username", required=True)
    create.add_argument("--role", default="province_admin", choices=REGULATOR_ROLES)
    create.add_argument("--password-stdin", action="store_true")
    args = parser.parse_args(argv)
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


if __name__ == "__main__":
    sys.exit(main())
