"""The XLSX guard: bombs are refused whole before openpyxl opens them, real imports pass."""

from __future__ import annotations

import io
import zipfile
from collections import Counter

import pytest

from chalicelib.doors.portal import xlsx_archive
from chalicelib.doors.portal.spreadsheet import SpreadsheetError, read_rows
from chalicelib.doors.portal.xlsx_archive import (
    MAX_CELL_ELEMENTS,
    MAX_OTHER_ELEMENTS,
    MAX_PARTS,
    MAX_RATIO,
    ArchiveRefusedError,
    check_archive,
)
from tests.spreadsheets import (
    HEADER_ZH,
    MAIN_NS,
    long_cells_xlsx,
    sheet_row,
    with_declared_size,
    workbook_parts,
    xlsx_bomb,
    xlsx_bytes,
)

SHARED = "xl/sharedStrings.xml"


@pytest.mark.parametrize("shared", [True, False], ids=["shared strings", "inline strings"])
def test_the_largest_legitimate_import_passes_every_archive_limit(shared):
    # Given 5,000 rows (the import's limit) with 500-character fault descriptions, 20 repair
    # items and 30 parts each, as Excel writes them and as openpyxl writes them
    data = long_cells_xlsx(shared=shared)
    # Then the archive is within every limit (its 4.9 MB are over the upload limit: that
    # limit, not these, is what stops it)
    check_archive(data)


def test_issue_13s_bomb_is_refused_whole_for_its_unpacked_size():
    # Given a 0.2 MB workbook whose shared strings unpack to 63 MB
    bomb = xlsx_bomb()
    assert len(bomb) < 300_000
    # When it is read
    with pytest.raises(SpreadsheetError) as refused:
        read_rows("bomb.xlsx", bomb, 5_000)
    # Then it is refused as a whole, naming the per-part limit in MB
    assert (refused.value.code, refused.value.params) == ("unpacked_too_large", {"limit": 32})


def test_a_part_under_the_size_limits_that_packs_past_100_to_1_is_refused():
    # Given the same bomb at 20 MB: under every size limit, but packed ~300 to 1
    bomb = xlsx_bomb(20 * 1024 * 1024)
    # Then its ratio refuses it
    with pytest.raises(ArchiveRefusedError) as refused:
        check_archive(bomb)
    assert (refused.value.code, refused.value.limit) == ("archive_suspicious", MAX_RATIO)


def test_zipfile_stops_a_member_at_its_declared_size_so_a_lying_header_cannot_unpack_more():
    # Given the 63 MB bomb whose headers say its shared strings are 1 MB (a packed size that
    # passes the ratio check, and a declared size that passes the size checks)
    lying = with_declared_size(xlsx_bomb(), SHARED, 1024 * 1024)
    # When the member is streamed out of the archive as zipfile does for openpyxl
    read = 0
    with zipfile.ZipFile(io.BytesIO(lying)) as archive, archive.open(SHARED) as member:
        with pytest.raises(zipfile.BadZipFile, match="CRC"):
            while chunk := member.read(64 * 1024):
                read += len(chunk)
    # Then no more than the declared megabyte came out, and the CRC check refused the rest
    assert read <= 1024 * 1024
    # And the guard refuses the whole file as unreadable
    with pytest.raises(SpreadsheetError) as refused:
        read_rows("lying.xlsx", lying, 5_000)
    assert refused.value.code == "unreadable"


def test_a_header_that_declares_less_packed_data_than_there_is_is_unreadable():
    # Given a good workbook whose shared strings part claims to unpack to 10 bytes
    rows = long_cells_xlsx(rows=20)
    lying = with_declared_size(rows, SHARED, 10)
    # Then it is refused whole, and the honest file is read
    with pytest.raises(ArchiveRefusedError) as refused:
        check_archive(lying)
    assert refused.value.code == "unreadable"
    assert len(read_rows("good.xlsx", rows, 5_000)) == 21


@pytest.mark.parametrize(
    ("strings", "budget"),
    [
        # many tiny shared strings: each an object openpyxl keeps (two elements each)
        (
            b"".join(b"<si><t>%x</t></si>" % (i * 7919) for i in range(MAX_CELL_ELEMENTS // 2 + 1)),
            MAX_CELL_ELEMENTS,
        ),
        # elements named as no spreadsheet names them count against the smaller budget
        (b"<si><t>a</t></si>" + "<単/>".encode() * (MAX_OTHER_ELEMENTS + 1), MAX_OTHER_ELEMENTS),
    ],
    ids=["shared strings", "unknown names"],
)
def test_a_workbook_over_an_element_budget_is_too_complex(strings, budget):
    # Given a workbook within every size and ratio limit, but with too many elements
    data = workbook_parts(xlsx_bytes([HEADER_ZH, sheet_row()]), b"<sst>%s</sst>" % strings)
    # Then it is refused whole as too complex, naming the budget
    with pytest.raises(SpreadsheetError) as refused:
        read_rows("complex.xlsx", data, 5_000)
    assert (refused.value.code, refused.value.params) == ("too_complex", {"limit": budget})


def test_merged_ranges_and_other_furniture_count_against_the_smaller_budget():
    # Given a sheet with one cell and one merged range more than the other-elements budget
    merges = b"".join(b'<mergeCell ref="A%d:B%d"/>' % (i, i) for i in range(MAX_OTHER_ELEMENTS + 1))
    sheet = b'<worksheet xmlns="%s"><sheetData><row><c><v>1</v></c></row></sheetData>' % (
        MAIN_NS.encode()
    )
    data = workbook_parts(
        xlsx_bytes([["x"]]), None, sheet + b"<mergeCells>%s</mergeCells></worksheet>" % merges
    )
    # Then it is refused as too complex
    with pytest.raises(ArchiveRefusedError) as refused:
        check_archive(data)
    assert (refused.value.code, refused.value.limit) == ("too_complex", MAX_OTHER_ELEMENTS)


def test_a_part_with_a_dtd_or_an_entity_is_unreadable():
    # Given shared strings that declare an entity (where entity expansion lives)
    dtd = b'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "aaaa">]><sst><si><t>&a;</t></si></sst>'
    # Then the workbook is refused before openpyxl parses it
    with pytest.raises(ArchiveRefusedError) as refused:
        check_archive(workbook_parts(xlsx_bytes([["x"]]), dtd))
    assert refused.value.code == "unreadable"


def test_too_many_parts_or_a_packing_excel_never_uses_is_refused():
    # Given an archive of MAX_PARTS + 1 parts, and one packed with bzip2
    many, odd = io.BytesIO(), io.BytesIO()
    with zipfile.ZipFile(many, "w") as archive:
        for index in range(MAX_PARTS + 1):
            archive.writestr(f"xl/media/{index}.bin", b"")
    with zipfile.ZipFile(odd, "w", zipfile.ZIP_BZIP2) as archive:
        archive.writestr("xl/workbook.xml", b"<workbook/>")
    # Then both are refused whole
    with pytest.raises(ArchiveRefusedError) as too_many:
        check_archive(many.getvalue())
    with pytest.raises(ArchiveRefusedError) as packed:
        check_archive(odd.getvalue())
    assert (too_many.value.code, too_many.value.limit) == ("archive_suspicious", MAX_PARTS)
    assert packed.value.code == "unreadable"


def test_a_tag_cut_across_two_chunks_is_counted_once():
    # Given a part whose elements straddle the 1 MB chunk boundary at every offset near it
    body = b"<si><t>x</t></si>" * (xlsx_archive.CHUNK_BYTES // 17 + 100)
    expected = body.count(b"<si>") * 2
    for shift in range(17):
        data = workbook_parts(xlsx_bytes([["x"]]), b" " * shift + b"<sst>" + body + b"</sst>")
        # When its elements are counted
        tally: Counter[bool] = Counter()
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            xlsx_archive._count_elements(archive, archive.getinfo(SHARED), tally)
        # Then every element is counted exactly once (sst, and si and t of each string)
        assert tally[True] == expected + 1, shift
