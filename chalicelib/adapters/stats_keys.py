"""Key strings of the statistics table (no stream), spelled here only.

Item kinds (PK / SK):
- counter        STAT#<scope>#<scope_id> / <day>[#<shop_class>]
- shop month row STAT#shopmonth#<province>#<yyyy-mm> / <companycode>  (+ last_upload_at)
- docked counter DOCKED#<province> / <division>#<shop_class> (shops that have ever uploaded)
- docked marker  DOCKEDSHOP#<companycode> / DOCKED          (first upload time, written once;
                 counted_class and registry_updated_at follow the shop's registry entry)
- applied marker APPLIED#<counter PK>#<counter SK> / <change_id>   (TTL 8 days > stream 24 h)
- last upload    LAST#<scope>#<scope_id> / LAST
- forward tries  ATTEMPT#<change_id> / ATTEMPT                     (TTL 8 days)
- rate window    RATE#<bucket>#<window> / RATE                      (TTL two windows)
- sign-in gate   SIGNIN#<bucket> / SIGNIN       (TTL: the end of its window or mark)
"""

from __future__ import annotations

from chalicelib.domain.statistics import CounterKey

PK = "PK"
SK = "SK"
TTL_ATTRIBUTE = "expires_at_epoch"
MARKER_DAYS = 8


def counter_key(key: CounterKey) -> dict[str, str]:
    if key.row is not None:
        return {PK: f"STAT#{key.scope}#{key.scope_id}", SK: key.row}
    sk = key.day.isoformat() + (f"#{key.shop_class}" if key.shop_class else "")
    return {PK: f"STAT#{key.scope}#{key.scope_id}", SK: sk}


def shop_month_pk(province_code: str, month: str) -> str:
    """The partition holding every shop's row of one month (`month` is YYYY-MM)."""
    return f"STAT#shopmonth#{province_code}#{month}"


def docked_counter_key(companycode: str, shop_class: str) -> dict[str, str]:
    return {PK: f"DOCKED#{companycode[:2]}0000", SK: f"{companycode[:6]}#{shop_class}"}


def docked_pk(province_code: str) -> str:
    return f"DOCKED#{province_code}"


def docked_marker_key(companycode: str) -> dict[str, str]:
    return {PK: f"DOCKEDSHOP#{companycode}", SK: "DOCKED"}


def counter_pk(scope: str, scope_id: str) -> str:
    return f"STAT#{scope}#{scope_id}"


def marker_key(counter: dict[str, str], change_id: str) -> dict[str, str]:
    return {PK: f"APPLIED#{counter[PK]}#{counter[SK]}", SK: change_id}


def last_upload_key(scope: str, scope_id: str) -> dict[str, str]:
    return {PK: f"LAST#{scope}#{scope_id}", SK: "LAST"}


def attempt_key(change_id: str) -> dict[str, str]:
    return {PK: f"ATTEMPT#{change_id}", SK: "ATTEMPT"}


def rate_key(bucket: str, window: int) -> dict[str, str]:
    """A public rate-limit window; here, in the table without a stream, so counting a request
    never invokes the stream handlers."""
    return {PK: f"RATE#{bucket}#{window}", SK: "RATE"}


def sign_in_key(bucket: str) -> dict[str, str]:
    """A sign-in attempt counter (or a remembered source); here, in the table without a
    stream, so an attacker's guesses never invoke the stream handlers."""
    return {PK: f"SIGNIN#{bucket}", SK: "SIGNIN"}
