"""The current county-level divisions (GB/T 2260) of a province, with their city, for pickers.

Why: owners choose a district to find shops, and regulators assign district officers to
districts; both need the list of divisions that exist today. python-stdnum ships the GB/T 2260
table (with each name's years of validity), so we read it rather than keep our own copy.
"""

from __future__ import annotations

import functools
import re

_PERIOD = re.compile(r"^\[(\d{4})?-(\d{4})?\](.*)$")


def _current_name(raw: str) -> str | None:
    """The name valid today from entries like "[-1991]东郊区,[1992-]东丽区", or None."""
    current = None
    for part in raw.split(","):
        match = _PERIOD.match(part.strip())
        if match is None:
            current = part.strip()
        elif match.group(2) is None:
            current = match.group(3)
        else:
            current = None
    return current


@functools.cache
def current_divisions(province_code: str) -> tuple[tuple[str, str], ...]:
    """(code, "city district") of every county-level division of the province valid today."""
    from stdnum import numdb

    prefix = province_code[:2]
    for _, low, _, _, children in numdb.get("cn/loc").prefixes:
        if low != prefix:
            continue
        cities: dict[str, str] = {}
        result: list[tuple[str, str]] = []
        for _, code, _, props, _ in children:
            name = _current_name(str(props.get("county", "")))
            if name is None:
                continue
            if code.endswith("00"):
                cities[code[:2]] = name
            elif name != "市辖区":
                city = cities.get(code[:2], "")
                result.append((prefix + code, f"{city} {name}".strip()))
        return tuple(result)
    return ()
