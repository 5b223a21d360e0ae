"""The source addresses each province's exchange traffic may come from, at the ministry.

Why: a province's exchange credential is a long random secret, but anyone who could reach the
ministry's exchange door could still try it (and, before the sign-in gate, lock it out, so
the province's forwarder parked its changes). Each province's forwarder runs in its own
cloud account behind known egress addresses (NAT gateways), registered with the ministry; a
request for a province from anywhere else is refused before any secret is looked at, and a
stolen exchange token is useless outside the province's network. A province without
registered ranges is reachable from loopback only: that is the local stack's (and tests')
default, and refuses everything on API Gateway.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network

Network = IPv4Network | IPv6Network
SourceRanges = Mapping[str, tuple[Network, ...]]

LOOPBACK: tuple[Network, ...] = (ip_network("127.0.0.0/8"), ip_network("::1/128"))
_PROVINCE = re.compile(r"^\d{2}0000$")


def parse_source_ranges(raw: Mapping[str, Sequence[str]]) -> dict[str, tuple[Network, ...]]:
    """Province code → its networks, from `{"320000": ["203.0.113.0/28", ...], ...}`.

    Raises ValueError naming the province or the range that is wrong (a range with host bits
    set, such as 203.0.113.5/24, is refused rather than widened silently).
    """
    ranges: dict[str, tuple[Network, ...]] = {}
    for province, cidrs in raw.items():
        if not _PROVINCE.match(province):
            raise ValueError(f"{province!r} is not a province code (xx0000)")
        if isinstance(cidrs, str) or not all(isinstance(c, str) for c in cidrs):
            raise ValueError(f"the ranges of {province} must be a list of CIDR strings")
        try:
            ranges[province] = tuple(ip_network(c.strip(), strict=True) for c in cidrs)
        except ValueError as exc:
            raise ValueError(f"a range of {province} is not a network in CIDR form: {exc}") from exc
    return ranges


def source_allowed(ranges: SourceRanges, province_code: str, source_ip: str) -> bool:
    """Whether `source_ip` is inside the province's registered ranges (loopback if none)."""
    try:
        address = ip_address(source_ip)
    except ValueError:
        return False
    return any(address in network for network in ranges.get(province_code) or LOOPBACK)
