"""Checking an uploaded XLSX archive before openpyxl reads any of it: the zip-bomb guard.

Why: an XLSX is a zip of XML parts, and what openpyxl costs grows with what the parts unpack
to, not with the upload. A 0.2 MB file whose sharedStrings.xml unpacked to 63 MB took 25 s and
368 MB in the API function (512 MB, 29 s), and it was under the old 64 MB total. What a part
costs is mostly its number of XML elements (openpyxl keeps an object per shared string, per
cell of a row, per merged range…), so a part is refused for its declared size, for a
compression ratio no spreadsheet has, and for the elements it holds, counted while it is
streamed out of the archive in chunks, never unpacked whole. zipfile stops every member at
its declared size and checks its CRC, so a header that lies about a size makes the member
unreadable, never larger. The limits and how they were measured: docs/assumptions.md.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections import Counter
from collections.abc import Iterator

MAX_PARTS = 1_000
# The largest legitimate import (5,000 rows, 500-character fault descriptions, 20 repair items
# and 30 parts a row) unpacks to a 15.9 MB sharedStrings.xml and a 1.2 MB sheet; written with
# inline strings instead, to a 17.6 MB sheet. Twice that, and the whole workbook a little more.
MAX_PART_BYTES = 32 * 1024 * 1024
MAX_UNPACKED_BYTES = 48 * 1024 * 1024
# XML packs 3-11 to 1 (that import: 3.3 and 10.5); past 100 to 1 it is repeated, not typed.
MAX_RATIO = 100
RATIO_FLOOR_BYTES = 1024 * 1024  # small parts (styles, themes) may pack better: too small to hurt
# Elements of cells and strings (openpyxl: ~15 µs and a few hundred bytes each). That import
# holds 165,000 (shared strings) or 150,000 (inline strings).
MAX_CELL_ELEMENTS = 300_000
# Every other element: styles, merged ranges, formats, relations (~50 µs each: a style, a
# merged range is an object of several). A workbook Excel saves holds a few hundred to a few
# thousand.
MAX_OTHER_ELEMENTS = 50_000
CELL_TAGS = frozenset(
    # a row and its cells, a shared or inline string and its rich-text runs with their fonts
    b"sheetData row c v f is sst si t r rPr rPh phoneticPr rFont b i strike condense extend "
    b"outline shadow u vertAlign sz color family charset scheme".split()
)
CHUNK_BYTES = 1024 * 1024
_PACKINGS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)  # what Excel, WPS and LibreOffice write
_XML_SUFFIXES = (".xml", ".rels", ".vml")
_START_TAG = re.compile(rb"<(?:[^\s/>:<]*:)?([A-Za-z_][^\s/>:<]*)")


class ArchiveRefusedError(Exception):
    """The archive is refused whole; `code` says why and `limit` is the limit it broke.

    Codes: unreadable (not a zip, a packing spreadsheets never use, a size header that lies,
    a DTD), archive_suspicious (too many parts, an absurd ratio), unpacked_too_large (a part or
    the whole over its size, `limit` in MB), too_complex (over an element budget)."""

    def __init__(self, code: str, limit: int = 0) -> None:
        super().__init__(code)
        self.code = code
        self.limit = limit


def check_archive(data: bytes) -> None:
    """Refuse the archive (ArchiveRefusedError) unless every part is within the limits."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
            _check_declared(parts)
            elements: Counter[bool] = Counter()  # True: cells and strings; False: the rest
            for part in parts:
                if part.filename.lower().endswith(_XML_SUFFIXES):
                    _count_elements(archive, part, elements)
    except ArchiveRefusedError:
        raise
    except Exception as exc:  # zipfile and its decompressors raise many kinds for a bad file
        raise ArchiveRefusedError("unreadable") from exc


def _check_declared(parts: list[zipfile.ZipInfo]) -> None:
    """What the headers declare, before anything is unpacked."""
    if len(parts) > MAX_PARTS:
        raise ArchiveRefusedError("archive_suspicious", MAX_PARTS)
    if any(part.compress_type not in _PACKINGS for part in parts):
        raise ArchiveRefusedError("unreadable")
    if any(part.file_size > MAX_PART_BYTES for part in parts):
        raise ArchiveRefusedError("unpacked_too_large", MAX_PART_BYTES // (1024 * 1024))
    if sum(part.file_size for part in parts) > MAX_UNPACKED_BYTES:
        raise ArchiveRefusedError("unpacked_too_large", MAX_UNPACKED_BYTES // (1024 * 1024))
    for part in parts:
        packed = max(part.compress_size, 1)
        if part.file_size > RATIO_FLOOR_BYTES and part.file_size / packed > MAX_RATIO:
            raise ArchiveRefusedError("archive_suspicious", MAX_RATIO)


def _count_elements(
    archive: zipfile.ZipFile, part: zipfile.ZipInfo, elements: Counter[bool]
) -> None:
    """Add the part's XML elements to `elements`; refuse the archive past a budget.

    A DTD is refused outright: no spreadsheet needs one, and it is where entity expansion
    lives. `<` cannot appear unescaped in XML text or attributes, so every `<` that does not
    open an end tag, a declaration or a comment opens an element (one inside a comment or
    CDATA only overcounts). Of those, the ones named as cells and strings (any prefix) count
    against the larger budget, wherever they are (elsewhere openpyxl ignores them, which is
    cheaper still); every other name, however spelt, counts against the smaller one. All
    counting is done in C (bytes.count, re.findall, Counter).
    """
    for segment in _segments(archive, part):
        if b"<!DOCTYPE" in segment or b"<!ENTITY" in segment:
            raise ArchiveRefusedError("unreadable")
        ends = segment.count(b"</") + segment.count(b"<?") + segment.count(b"<!")
        opened = segment.count(b"<") - ends
        names = Counter(_START_TAG.findall(segment))
        cells = sum(count for name, count in names.items() if name in CELL_TAGS)
        elements[True] += cells
        elements[False] += opened - cells
        if elements[True] > MAX_CELL_ELEMENTS:
            raise ArchiveRefusedError("too_complex", MAX_CELL_ELEMENTS)
        if elements[False] > MAX_OTHER_ELEMENTS:
            raise ArchiveRefusedError("too_complex", MAX_OTHER_ELEMENTS)


def _segments(archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> Iterator[bytes]:
    """The part's bytes in chunks cut just before a `<`, so no tag is split between two."""
    carried = b""
    with archive.open(part) as stream:  # stops at the declared size; a wrong CRC raises
        while chunk := stream.read(CHUNK_BYTES):
            text = carried + chunk
            cut = text.rfind(b"<")
            if cut <= 0:
                carried = b""
                yield text
            else:
                carried = text[cut:]
                yield text[:cut]
    if carried:
        yield carried
