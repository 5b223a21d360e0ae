"""Reading untrusted JSON text within a nesting limit: `loads_bounded`.

Why: `json.loads` recurses once per level of nesting, so a body of 100,000 `[` raised
RecursionError, which the REST doors answered 500 and the national door -99. Nothing this
system reads nests deeper than a few levels (a batch of records with their item lists is five),
so every door reads client JSON (bodies, cursors, the national format's JSON-text lists) through
here: the depth is measured first by a scan that never recurses, and every way the text can fail
raises one error type, which each door answers as its own malformed-body error.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any

MAX_DEPTH = 64

# A JSON string, escapes included. It also ends at the end of the text, so that an unterminated
# string never fails to match: a failed match would be retried from every later quote, which
# makes the scan quadratic on `"\"\"\"…` (json.loads refuses such text anyway).
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*(?:"|\\?\Z)', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


class JsonInputError(ValueError):
    """The text is not JSON this system reads; nothing of it is used.

    `rule` says why: `json` (not UTF-8, not well-formed, or a number too long to read) or
    `max_depth` (arrays and objects nested deeper than the limit)."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message


def loads_bounded(text: str | bytes, max_depth: int = MAX_DEPTH) -> Any:
    """`json.loads` for client input: refuses nesting deeper than `max_depth` before parsing.

    Raises JsonInputError (a ValueError) for every failure; never RecursionError.
    """
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise JsonInputError("json", f"not UTF-8: {exc}") from exc
    # Fewer opening brackets than the limit cannot nest past it: most texts skip the scan.
    if text.count("[") + text.count("{") > max_depth and nesting_depth(text) > max_depth:
        raise JsonInputError("max_depth", f"nested deeper than {max_depth} levels")
    try:
        return json.loads(text)
    except ValueError as exc:  # JSONDecodeError, and int() past sys.get_int_max_str_digits()
        raise JsonInputError("json", f"not well-formed JSON: {exc}") from exc


def nesting_depth(text: str) -> int:
    """How deep arrays and objects nest in `text`, brackets inside strings not counted.

    Linear: strings are cut out and the remaining brackets summed, all in C (re, accumulate),
    about 0.1 s for a megabyte of brackets. For text that is not JSON the answer is only an
    upper bound of what a parser would reach, which is all the limit needs.
    """
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)
