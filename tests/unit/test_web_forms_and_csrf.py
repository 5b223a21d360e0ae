"""Form parsing (URL-encoded and multipart) and CSRF tokens of the server-rendered pages."""

from __future__ import annotations

import pytest

from chalicelib.doors.kit.csrf import csrf_token, csrf_valid
from chalicelib.doors.kit.forms import check_size, parse_form, parse_multipart, parse_urlencoded
from chalicelib.errors import TooLargeError

URLENCODED = "application/x-www-form-urlencoded"


def _multipart(boundary: str, parts: list[tuple[str, str | None, bytes]]) -> bytes:
    chunks = []
    for name, filename, data in parts:
        disposition = f'form-data; name="{name}"'
        if filename is not None:
            disposition += f'; filename="{filename}"'
        head = f"--{boundary}\r\nContent-Disposition: {disposition}\r\n"
        if filename is not None:
            head += "Content-Type: application/octet-stream\r\n"
        chunks.append(head.encode() + b"\r\n" + data + b"\r\n")
    return b"".join(chunks) + f"--{boundary}--\r\n".encode()


def test_urlencoded_fields_keep_every_value_of_a_repeated_name():
    # Given a form with a repeated field and Chinese text
    raw = "item=%E6%9C%BA%E6%B2%B9&item=%E6%BB%A4%E8%8A%AF&vin=+LSV123+"
    # When it is parsed
    form = parse_urlencoded(raw)
    # Then both values are kept in order and values are trimmed
    assert form.getlist("item") == ["机油", "滤芯"]
    assert form.get("item") == "滤芯"
    assert form.get("vin") == "LSV123"


def test_an_oversized_or_broken_form_reads_as_empty():
    assert parse_urlencoded("a=" + "x" * 100, max_bytes=50).fields == {}
    assert parse_urlencoded(b"a=%ff%fe\xff").fields == {}


def test_a_form_over_its_bytes_or_fields_is_refused_as_too_large_with_the_code_given():
    # Given forms over the byte limit, over the field limit, and a multipart one over the bytes
    over_bytes = "a=" + "x" * 100
    over_fields = "&".join(["a=1"] * 11)
    multipart = _multipart("B", [("text", None, b"x" * 500)])
    # Then each is refused with the code the page asked for; forms within the limits pass
    for raw, content_type in (
        (over_bytes, URLENCODED),
        (over_fields, URLENCODED),
        (multipart, "multipart/form-data; boundary=B"),
    ):
        with pytest.raises(TooLargeError) as refused:
            check_size(raw, content_type, max_bytes=100, max_fields=10, code="record_too_large")
        assert refused.value.code == "record_too_large"
    check_size("&".join(["a=1"] * 10), URLENCODED, max_bytes=100, max_fields=10)
    check_size(b"", URLENCODED, max_bytes=100, max_fields=10)
    # And the parser reads exactly as many fields as the check lets through
    assert parse_urlencoded("&".join(["a=1"] * 10), max_fields=10).getlist("a") == ["1"] * 10


def test_multipart_gives_fields_and_the_exact_file_bytes():
    # Given a multipart body with a text field and a binary file
    photo = bytes(range(256)) * 4
    body = _multipart("XyZ", [("text", None, "收费不对".encode()), ("photo", "a.png", photo)])
    # When it is parsed by the request's content type
    form = parse_form(body, "multipart/form-data; boundary=XyZ", max_bytes=10_000)
    # Then the text is decoded and the file bytes are unchanged
    assert form.get("text") == "收费不对"
    assert form.files["photo"].data == photo
    assert form.files["photo"].filename == "a.png"


def test_multipart_over_the_limit_or_without_boundary_is_empty():
    body = _multipart("B", [("text", None, b"x" * 500)])
    assert parse_multipart(body, "multipart/form-data; boundary=B", max_bytes=100).fields == {}
    assert parse_multipart(body, "multipart/form-data", max_bytes=10_000).fields == {}


def test_an_empty_file_input_is_not_an_upload():
    body = _multipart("B", [("photo", "", b"")])
    assert parse_multipart(body, "multipart/form-data; boundary=B", 10_000).files == {}


def test_csrf_token_belongs_to_its_session_only():
    # Given two sessions
    mine, other = "a" * 32, "b" * 32
    # Then a token is valid for its own session and for no other, and never empty
    assert csrf_valid(mine, csrf_token(mine))
    assert not csrf_valid(other, csrf_token(mine))
    assert not csrf_valid(mine, "")
    assert not csrf_valid("", csrf_token(""))


def test_multipart_over_its_field_limit_is_refused_whole_never_cut_short():
    # Given a multipart form of 12 fields, where the page allows 10
    body = _multipart("B", [(f"f{i}", None, b"1") for i in range(12)])
    content_type = "multipart/form-data; boundary=B"
    # Then the size check refuses it, and the parser reads it as empty, not as its first 10
    with pytest.raises(TooLargeError):
        check_size(body, content_type, max_bytes=10_000, max_fields=10)
    assert parse_form(body, content_type, max_bytes=10_000, max_fields=10).fields == {}
    # And within the limit every field is read
    check_size(body, content_type, max_bytes=10_000, max_fields=12)
    assert len(parse_form(body, content_type, max_bytes=10_000, max_fields=12).fields) == 12


def _nested_multipart(levels: int) -> bytes:
    """A form whose one part is a multipart holding a multipart, `levels` deep."""
    opening = b"".join(
        b"--n%d\r\nContent-Type: multipart/mixed; boundary=n%d\r\n\r\n" % (i, i + 1)
        for i in range(levels)
    )
    inner = b'--n%d\r\nContent-Disposition: form-data; name="x"\r\n\r\nv\r\n--n%d--' % (
        levels,
        levels,
    )
    closing = b"".join(b"\r\n--n%d--\r\n" % i for i in reversed(range(levels)))
    return opening + inner + closing


def test_a_form_with_parts_nested_20000_deep_reads_as_empty_never_recursion_error():
    # Given a multipart form whose part is a multipart holding a multipart, 20,000 levels deep
    # (the standard library parser recursed into each level: RecursionError, a 500)
    body = _nested_multipart(20_000)
    # When it is parsed
    form = parse_form(body, "multipart/form-data; boundary=n0", max_bytes=10_000_000)
    # Then it reads as a broken form: empty
    assert form.fields == {} and form.files == {}


@pytest.mark.parametrize("declared", ["multipart/mixed; boundary=q", "message/rfc822"])
def test_a_part_declaring_a_nested_type_behind_a_folded_header_or_lf_endings_is_found(declared):
    # Given a part whose type is folded onto a second header line, in a body with bare LF
    body = (
        '--B\nContent-Disposition: form-data; name="a"\nContent-Type:\n '
        + declared
        + "\n\n--q\n\nv\n--q--\n--B--\n"
    ).encode()
    # Then the form is broken: empty
    assert parse_multipart(body, "multipart/form-data; boundary=B", 10_000).fields == {}


def test_a_file_whose_content_mentions_a_multipart_type_is_still_read():
    # Given an uploaded text file whose content (after its part's blank line) looks like headers
    content = b"Content-Type: multipart/mixed; boundary=z\r\n\r\n--z\r\n"
    body = _multipart("B", [("text", None, b"ok"), ("file", "notes.txt", content)])
    # When it is parsed
    form = parse_multipart(body, "multipart/form-data; boundary=B", 10_000)
    # Then the field and the file are read unchanged
    assert form.get("text") == "ok" and form.files["file"].data == content
