"""Bounded JSON reading: the nesting scan respects strings, and every failure is one error."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.json_limits import (
    MAX_DEPTH,
    JsonInputError,
    loads_bounded,
    nesting_depth,
)

DEEP = "[" * 100_000 + "]" * 100_000
EXAMPLES = int(os.environ.get("PROPERTY_EXAMPLES", "150"))
# Derandomized, as the other property tests: a failure repeats; no deadline on a busy machine.
PROPERTIES = settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None)


def _nested(depth: int) -> str:
    """Objects outside, arrays inside: `depth` levels in all."""
    objects, arrays = depth // 2, depth - depth // 2
    return '{"a":' * objects + "[" * arrays + "1" + "]" * arrays + "}" * objects


def test_a_body_at_the_limit_is_read_and_one_level_more_is_refused():
    # Given documents nested exactly to the limit and one level deeper
    at_limit, over = _nested(MAX_DEPTH), _nested(MAX_DEPTH + 1)
    # When they are read
    value = loads_bounded(at_limit)
    with pytest.raises(JsonInputError) as refused:
        loads_bounded(over)
    # Then the first is the document json.loads reads, the second names the depth rule
    assert value == json.loads(at_limit)
    assert refused.value.rule == "max_depth" and str(MAX_DEPTH) in refused.value.message


@pytest.mark.parametrize(
    "text",
    [DEEP, "[" * 100_000, '{"a":' * 100_000, DEEP.encode()],
    ids=["balanced", "unclosed", "objects", "bytes"],
)
def test_100000_levels_raise_the_depth_error_never_recursion_error(text):
    with pytest.raises(JsonInputError) as refused:
        loads_bounded(text)
    assert refused.value.rule == "max_depth"


def test_brackets_inside_strings_and_after_escaped_quotes_are_not_nesting():
    # Given strings full of brackets, one of them with escaped quotes and backslashes
    text = json.dumps({"a": "[" * 500, "b": 'x\\"[[[{{{' + "]" * 300, "c": ["\\", "[{"]})
    # Then only the real arrays and objects count
    assert nesting_depth(text) == 2
    assert loads_bounded(text)["a"] == "[" * 500


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("{", "unclosed"),
        ('"\\"\\"\\"' * 1000, "unterminated string of escaped quotes"),
        ("1" * 5_000, "an integer past Python's digit limit (a plain ValueError)"),
        (b"\xff\xfe[]", "not UTF-8"),
        ("[] []", "extra data"),
    ],
)
def test_every_malformed_text_raises_the_one_error_type(text, why):
    with pytest.raises(JsonInputError) as refused:
        loads_bounded(text)
    assert refused.value.rule == "json", why
    assert isinstance(refused.value, ValueError)  # what json.loads' callers already catch


@PROPERTIES
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
        max_leaves=20,
    ),
    st.booleans(),
)
def test_the_scan_measures_what_json_builds(value, ascii_only):
    # Given any JSON value (strings may hold brackets, quotes and backslashes), as JSON text
    # with or without \u escapes
    text = json.dumps(value, ensure_ascii=ascii_only)
    # Then the scan finds its real depth and the bounded reader returns it unchanged
    assert nesting_depth(text) == _depth(value)
    assert loads_bounded(text) == value


def _depth(value: object) -> int:
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    return 0


# Modules that parse JSON this system wrote itself (its own table items and queue messages) or
# that its ministry answered; none of it comes from a client.
OWN_JSON = {
    "chalicelib/domain/json_limits.py",
    "chalicelib/domain/record_import.py",  # an import chunk's rows, as the portal stored them
    "chalicelib/adapters/import_items.py",  # an import chunk's outcomes, as run_jobs stored them
    "chalicelib/adapters/sqs_dead_letters.py",  # our own dead-letter messages
    "chalicelib/adapters/ministry_client.py",  # the ministry's answers to this province
    "chalicelib/config.py",  # the stack's own environment (EXCHANGE_SOURCE_RANGES)
    "chalicelib/domain/audit_digest.py",  # a digest this stack wrote to its locked bucket
}
_PARSES_JSON = re.compile(r"json\.loads?\(|JSONDecoder|model_validate_json|\.json_body\b")


def test_client_json_is_read_only_through_loads_bounded():
    # Given every module of the application
    root = Path(__file__).resolve().parents[2]
    # When those that parse JSON text themselves are listed
    parsing = {
        str(path.relative_to(root))
        for path in (root / "chalicelib").rglob("*.py")
        if _PARSES_JSON.search(path.read_text(encoding="utf-8"))
    }
    # Then each reads only JSON the system wrote: a new door reads client JSON through
    # loads_bounded (read_json for bodies), so no client can make it recurse past the limit
    assert parsing <= OWN_JSON, parsing - OWN_JSON
