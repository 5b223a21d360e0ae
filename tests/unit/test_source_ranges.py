"""Provinces' registered exchange source ranges: parsing, matching and the configuration."""

from __future__ import annotations

import pydantic
import pytest

from chalicelib.config import settings_from_env
from chalicelib.domain.source_ranges import parse_source_ranges, source_allowed


def test_an_address_is_allowed_only_inside_its_provinces_ranges():
    # Given Jiangsu's ranges (IPv4 and IPv6) and Hubei's
    ranges = parse_source_ranges(
        {"320000": ["203.0.113.0/28", "2001:db8:32::/48"], "420000": ["198.51.100.8/29"]}
    )
    # When addresses are checked for Jiangsu
    # Then only Jiangsu's own networks pass, whichever IP version
    assert source_allowed(ranges, "320000", "203.0.113.15")
    assert source_allowed(ranges, "320000", "2001:db8:32::1")
    assert not source_allowed(ranges, "320000", "203.0.113.16")
    assert not source_allowed(ranges, "320000", "198.51.100.9")  # Hubei's
    assert not source_allowed(ranges, "320000", "127.0.0.1")  # once ranges are registered
    assert source_allowed(ranges, "420000", "198.51.100.9")


def test_a_province_without_ranges_is_reachable_from_loopback_only():
    # Given no registered ranges (the local stack's configuration)
    ranges = parse_source_ranges({})
    # Then loopback passes for any province, and nothing else does
    assert source_allowed(ranges, "320000", "127.0.0.1")
    assert source_allowed(ranges, "420000", "::1")
    assert not source_allowed(ranges, "320000", "10.0.0.1")
    assert not source_allowed(ranges, "320000", "unknown")  # no sourceIp at all


@pytest.mark.parametrize(
    ("raw", "named"),
    [
        ({"32": ["203.0.113.0/28"]}, "'32' is not a province code"),
        ({"320000": ["203.0.113.5/24"]}, "has host bits set"),
        ({"320000": ["not-a-network"]}, "not a network in CIDR form"),
        ({"320000": "203.0.113.0/28"}, "must be a list"),
    ],
)
def test_a_wrong_range_is_refused_naming_what_is_wrong(raw, named):
    with pytest.raises(ValueError, match=named):
        parse_source_ranges(raw)


def test_the_ranges_come_from_the_environment_as_json():
    # Given the variable the ministry template sets
    settings = settings_from_env({"EXCHANGE_SOURCE_RANGES": '{"320000": ["203.0.113.0/28"]}'})
    # Then the settings hold them, and a malformed value stops the stack from starting
    assert settings.exchange_source_ranges == {"320000": ["203.0.113.0/28"]}
    for wrong in ("[1, 2]", '{"320000": ["203.0.113.5/24"]}', "{"):
        with pytest.raises(pydantic.ValidationError, match="exchange_source_ranges"):
            settings_from_env({"EXCHANGE_SOURCE_RANGES": wrong})
