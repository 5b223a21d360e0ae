"""Reading HTML form posts: URL-encoded fields and multipart uploads, with hard size limits.

Why: every server-rendered page posts forms, and a form is untrusted input like any JSON body:
its size, its number of fields and its encoding are bounded here before a service sees it.
The parsers read a form over the limits as empty; a page that must tell its user instead
calls `check_size` first, which refuses it with TooLargeError (the portal answers 413 with a
page saying so, rather than an empty form failing its CSRF check as "expired").
Multipart bodies (a complaint's photo voucher) are parsed with the standard library's email
parser, so no extra dependency is needed. That parser reads a part of a multipart or message
type by recursing into it, so a body nesting parts 20,000 deep raised RecursionError (a 500);
a browser never nests parts in a form, so a body with such a part is broken and reads as empty.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from chalicelib.errors import TooLargeError

MAX_FORM_BYTES = 64 * 1024
MAX_FIELDS = 400


@dataclass(frozen=True)
class UploadedFile:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Form:
    """Fields (the last value wins; `lists` keeps every value) and uploaded files."""

    fields: dict[str, str] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=dict)
    files: dict[str, UploadedFile] = field(default_factory=dict)

    def get(self, name: str, default: str = "") -> str:
        return self.fields.get(name, default)

    def getlist(self, name: str) -> list[str]:
        return self.lists.get(name, [])


def _as_bytes(raw: bytes | str | None) -> bytes:
    return raw.encode("utf-8") if isinstance(raw, str) else (raw or b"")


def check_size(
    raw: bytes | str | None,
    content_type: str,
    max_bytes: int = MAX_FORM_BYTES,
    max_fields: int = MAX_FIELDS,
    code: str = "form_too_large",
) -> None:
    """Raise TooLargeError(code) for a body the parsers would read as empty for its size: over
    `max_bytes`, or over `max_fields` fields (parts, for multipart)."""
    data = _as_bytes(raw)
    if len(data) > max_bytes:
        raise TooLargeError(f"the form is over {max_bytes} bytes", code=code)
    fields = _multipart_parts(data, content_type) if _is_multipart(content_type) else None
    if fields is None:
        fields = data.count(b"&") + 1 if data else 0
    if fields > max_fields:
        raise TooLargeError(f"the form has over {max_fields} fields", code=code)


def parse_urlencoded(
    raw: bytes | str | None, max_bytes: int = MAX_FORM_BYTES, max_fields: int = MAX_FIELDS
) -> Form:
    """An `application/x-www-form-urlencoded` body; an oversized or broken body is empty."""
    data = _as_bytes(raw)
    if len(data) > max_bytes:
        return Form()
    try:
        parsed = parse_qs(data.decode("utf-8"), keep_blank_values=True, max_num_fields=max_fields)
    except (UnicodeDecodeError, ValueError):
        return Form()
    lists = {key: [v.strip() for v in values] for key, values in parsed.items()}
    return Form(fields={k: v[-1] for k, v in lists.items() if v}, lists=lists)


def parse_multipart(
    raw: bytes | str | None, content_type: str, max_bytes: int, max_fields: int = MAX_FIELDS
) -> Form:
    """A `multipart/form-data` body (fields and files); a body over `max_bytes` or with more
    than `max_fields` parts, or a broken one, is empty (never cut short: a record whose last
    rows were dropped would save)."""
    from email.parser import BytesParser
    from email.policy import HTTP

    data = _as_bytes(raw)
    if len(data) > max_bytes or "boundary=" not in content_type:
        return Form()
    header = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    boundary = BytesParser(policy=HTTP).parsebytes(header, headersonly=True).get_boundary()
    if boundary is None or _nests_parts(data, boundary):
        return Form()
    message = BytesParser(policy=HTTP).parsebytes(header + data)
    if not message.is_multipart():
        return Form()
    lists: dict[str, list[str]] = {}
    files: dict[str, UploadedFile] = {}
    parts = list(message.iter_parts())
    if len(parts) > max_fields:
        return Form()
    for part in parts:
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        decoded = part.get_payload(decode=True)
        payload = decoded if isinstance(decoded, bytes) else b""
        filename = part.get_filename()
        if filename is not None:
            if payload:
                files[name] = UploadedFile(filename, part.get_content_type(), payload)
            continue
        try:
            lists.setdefault(name, []).append(payload.decode("utf-8").strip())
        except UnicodeDecodeError:
            continue
    return Form(fields={k: v[-1] for k, v in lists.items()}, lists=lists, files=files)


def parse_form(
    raw: bytes | str | None,
    content_type: str,
    max_bytes: int = MAX_FORM_BYTES,
    max_fields: int = MAX_FIELDS,
) -> Form:
    """Either encoding, by the request's Content-Type."""
    if _is_multipart(content_type):
        return parse_multipart(raw, content_type, max_bytes, max_fields)
    return parse_urlencoded(raw, max_bytes, max_fields)


def _nests_parts(data: bytes, boundary: str) -> bool:
    """Whether any part declares a multipart or message type (the parser would recurse).

    The body is cut where the email parser cuts it (a line that is the delimiter, with any line
    ending) and each part's headers are read by the same parser, headers only, so a part it
    would recurse into cannot hide from this check. Text after a part's blank line is its
    content, not a header: a file that contains such words is still read.
    """
    from email.parser import BytesParser
    from email.policy import HTTP

    lines = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    # surrogateescape: how the parser itself turns a boundary's non-ASCII bytes into text
    delimiter = re.escape(boundary.encode("ascii", "surrogateescape"))
    for part in re.split(rb"^--" + delimiter + rb"(?:--)?[ \t]*$", lines, flags=re.M):
        head = part.removeprefix(b"\n").split(b"\n\n", 1)[0]
        declared = BytesParser(policy=HTTP).parsebytes(head, headersonly=True)
        if declared.get_content_maintype() in ("multipart", "message"):
            return True
    return False


def _multipart_parts(data: bytes, content_type: str) -> int | None:
    """How many parts a multipart body holds (delimiters less the closing one), or None
    without a boundary (the parser reads such a body as empty anyway)."""
    _, found, rest = content_type.partition("boundary=")
    boundary = rest.split(";")[0].strip().strip('"')
    if not found or not boundary:
        return None
    return max(data.count(b"--" + boundary.encode("utf-8", "replace")) - 1, 0)


def _is_multipart(content_type: str) -> bool:
    return content_type.split(";")[0].strip().lower() == "multipart/form-data"
