"""The provincial-level divisions (省级行政区) that run a provincial system, with their names.

Why: the ministry console lists every province, connected or not, and a province exchange
credential may only be issued for a real province. The names come from python-stdnum's GB/T
2260 table (as the district pickers do). Taiwan (71), Hong Kong (81) and Macao (82) have codes
in the standard but their vehicles are not in this system; the 31 mainland provinces,
autonomous regions and municipalities are (docs/assumptions.md).
"""

from __future__ import annotations

import functools
import re

_MAINLAND_PREFIX = re.compile(r"^(1[1-5]|2[1-3]|3[1-7]|4[1-6]|5[0-4]|6[1-5])$")


@functools.cache
def provinces() -> tuple[tuple[str, str], ...]:
    """(6-digit code, name) of the 31 mainland provincial-level divisions, in code order."""
    from stdnum import numdb

    found = []
    for _, prefix, _, props, _ in numdb.get("cn/loc").prefixes:
        if _MAINLAND_PREFIX.match(prefix) and props.get("province"):
            found.append((f"{prefix}0000", str(props["province"])))
    return tuple(found)


def province_name(code: str) -> str | None:
    """The name of a 6-digit province code (e.g. 320000 → 江苏省), or None."""
    return dict(provinces()).get(code)


def is_province_code(code: str) -> bool:
    return province_name(code) is not None
