"""Spreadsheet import: checked at once, uploaded chunk by chunk by the stream handler."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from urllib.parse import quote

import boto3
import pytest

from chalicelib.config import get_settings
from tests.builders import record_payload, unique_code, unique_vin
from tests.functional.portal_client import PortalClient
from tests.functional.stream_events import run_handler
from tests.spreadsheets import HEADER_EN, HEADER_ZH, csv_bytes, sheet_row, xlsx_bytes


@pytest.fixture
def signed_in(api, shop):
    registered, token = shop
    browser = PortalClient(api.client)
    browser.sign_in(registered["companycode"], registered["secret"])
    return browser, registered, token


def _import(browser, filename: str, data: bytes):
    page = browser.get("/portal/imports")
    return browser.post_file("/portal/imports", {"csrf_token": page.csrf()}, filename, data)


def _job_path(answer) -> str:
    assert answer.status == 303, answer.text
    return answer.location


def _results(page) -> dict[int, tuple[str, str]]:
    """Row number → (result, the row's text) from the job page."""
    rows = re.findall(
        r'<tr class="outcome \w+" data-row="(\d+)" data-result="(\w+)">(.*?)</tr>', page.text, re.S
    )
    return {int(n): (result, body) for n, result, body in rows}


def _own_records(api, token) -> list[dict]:
    return api.get("/v1/records?from=1990-01-01&to=2030-12-31&limit=100", token).json["records"]


def _import_items() -> list[dict]:
    pages = (
        boto3.client("dynamodb").get_paginator("scan").paginate(TableName=get_settings().table_name)
    )
    return [i for page in pages for i in page["Items"] if i["PK"]["S"].startswith("IMPORT#")]


def test_a_file_with_good_and_bad_rows_gets_a_result_for_every_row(api, signed_in):
    # Given a CSV with two good rows, one without a VIN, one whose hours are not a number,
    # and one settled before its repair date (a rule the upload itself checks)
    browser, _, token = signed_in
    good = [sheet_row(), sheet_row()]
    rows = [
        HEADER_ZH,
        *good,
        sheet_row(vin=""),
        sheet_row(repair_items="更换轮胎:两小时"),
        sheet_row(settlement_date="2024-02-01"),
    ]
    # When the shop imports it
    job = _job_path(_import(browser, "records.csv", csv_bytes(rows)))
    waiting = browser.get(job)
    # Then the refused rows have their reasons at once, and the page refreshes itself
    assert waiting.headers.get("Refresh") == "2"
    assert set(_results(waiting)) == {4, 5}
    # When the stream handler has processed the chunks
    assert run_handler(api, "run_jobs") == {"batchItemFailures": []}
    done = browser.get(job)
    # Then every row has its result and error reason (错误原因), and the page stops refreshing
    results = _results(done)
    assert "Refresh" not in done.headers
    assert {n: r for n, (r, _) in results.items()} == {
        2: "created",
        3: "created",
        4: "error",
        5: "error",
        6: "error",
    }
    assert "车辆识别代码（VIN）：必填" in results[4][1]
    assert "维修项目 第 1 项 · 工时：必须是数字" in results[5][1]
    assert "结算日期：不能早于送修日期" in results[6][1]
    assert 'data-count="created">2<' in done.text and 'data-count="error">3<' in done.text
    assert {r["settlement_list_code"] for r in _own_records(api, token)} == {g[0] for g in good}


def test_importing_the_same_file_again_creates_nothing_new(api, signed_in):
    # Given a file imported once
    browser, _, token = signed_in
    data = csv_bytes([HEADER_ZH, sheet_row(), sheet_row(), sheet_row(vin="")])
    _job_path(_import(browser, "again.csv", data))
    run_handler(api, "run_jobs")
    before = _own_records(api, token)
    # When the same file is imported again
    second = _job_path(_import(browser, "again.csv", data))
    run_handler(api, "run_jobs")
    # Then its rows read unchanged (or the same error), and no record was added
    results = _results(browser.get(second))
    assert [r for r, _ in results.values()] == ["unchanged", "unchanged", "error"]
    assert len(_own_records(api, token)) == len(before) == 2


def test_imported_records_join_the_vehicle_history(api, signed_in):
    browser, _, _ = signed_in
    row = sheet_row()
    _job_path(_import(browser, "one.csv", csv_bytes([HEADER_ZH, row])))
    run_handler(api, "run_jobs")
    history = api.get(f"/v1/vehicles/{row[1]}/history?plate={quote(row[2])}")
    assert history.status_code == 200
    record = history.json["records"][0]
    assert record["repair_items"] == [
        {"name": "发动机油保养", "labour_hours": "1.5"},
        {"name": "更换刹车片", "labour_hours": "2"},
    ]
    assert record["parts"][1] == {"name": "机油滤清器", "code": "B11.42", "quantity": "1"}


def test_an_xlsx_with_english_headers_excel_dates_numbers_and_a_formula(api, signed_in):
    # Given a workbook with English headers, real Excel dates, a settlement number typed as a
    # number, and a row whose mileage cell holds a formula
    browser, _, token = signed_in
    number_code = int(datetime.now().strftime("%H%M%S%f"))
    rows = [
        HEADER_EN,
        sheet_row(
            settlement_list_code=number_code,
            repair_date=datetime(2024, 3, 1),
            settlement_date=datetime(2024, 3, 2),
            repair_mileage=15000,
        ),
        sheet_row(repair_mileage="=1000*12"),
    ]
    # When it is imported
    job = _job_path(_import(browser, "book.xlsx", xlsx_bytes(rows)))
    run_handler(api, "run_jobs")
    results = _results(browser.get(job))
    # Then the first row is stored as typed, and the formula row names its column
    assert results[2][0] == "created" and results[3][0] == "error"
    assert "第 F 列的单元格是公式" in results[3][1]
    stored = _own_records(api, token)[0]
    assert (stored["settlement_list_code"], stored["repair_date"]) == (
        str(number_code),
        "2024-03-01",
    )
    assert stored["repair_mileage"] == 15000


def test_an_xlsx_odometer_of_1e999_is_an_error_of_its_row_not_a_crash(api, signed_in):
    # Given a workbook whose second row's odometer cell holds 1e999 (openpyxl reads inf)
    # and whose third row's settlement number cell holds -1e999
    browser, _, token = signed_in
    good = sheet_row()
    rows = [
        HEADER_ZH,
        good,
        sheet_row(repair_mileage=4242.5),
        sheet_row(settlement_list_code=4343.5),
    ]
    data = xlsx_bytes(rows, raw_numbers={4242.5: "1e999", 4343.5: "-1e999"})
    # When it is imported
    job = _job_path(_import(browser, "inf.xlsx", data))
    run_handler(api, "run_jobs")
    results = _results(browser.get(job))
    # Then the good row is stored, and each bad row is an error naming the column
    assert {n: r for n, (r, _) in results.items()} == {2: "created", 3: "error", 4: "error"}
    assert "送修里程（公里）：第 F 列的数值无法使用（无穷大" in results[3][1]
    assert "结算清单编号：第 A 列的数值无法使用" in results[4][1]
    assert [r["settlement_list_code"] for r in _own_records(api, token)] == [good[0]]


def test_a_gb18030_csv_from_chinese_excel_is_read(api, signed_in):
    browser, _, token = signed_in
    data = csv_bytes([HEADER_ZH, sheet_row(fault_description="空调不制冷")], encoding="gb18030")
    _job_path(_import(browser, "gbk.csv", data))
    run_handler(api, "run_jobs")
    assert _own_records(api, token)[0]["fault_description"] == "空调不制冷"


def test_a_settlement_number_twice_in_one_file_is_refused_on_its_second_row(api, signed_in):
    browser, _, _ = signed_in
    code = unique_code("DUP")
    data = csv_bytes(
        [HEADER_ZH, sheet_row(settlement_list_code=code), sheet_row(settlement_list_code=code)]
    )
    job = _job_path(_import(browser, "dup.csv", data))
    run_handler(api, "run_jobs")
    results = _results(browser.get(job))
    assert results[2][0] == "created" and results[3][0] == "error"
    assert "与本文件第 2 行的结算清单编号重复" in results[3][1]


def test_a_file_over_5000_rows_is_refused_whole_and_stores_nothing(api, signed_in):
    # Given a CSV with 5,001 data rows
    browser, _, token = signed_in
    rows = [HEADER_ZH] + [sheet_row() for _ in range(5_001)]
    # When it is imported
    answer = _import(browser, "big.csv", csv_bytes(rows))
    # Then it is refused with a clear message, and nothing was stored
    assert answer.status == 413
    assert 'data-error="too_many_rows"' in answer.text and "超过 5000 行" in answer.text
    assert _import_items() == [] and _own_records(api, token) == []


def test_a_file_of_exactly_5000_rows_is_accepted_in_chunks(signed_in):
    browser, _, _ = signed_in
    rows = [HEADER_ZH] + [sheet_row() for _ in range(5_000)]
    job = _job_path(_import(browser, "full.csv", csv_bytes(rows)))
    chunks = [i for i in _import_items() if i["SK"]["S"].startswith("CHUNK#")]
    assert len(chunks) == 100
    assert "0 / 5000" in browser.get(job).text


@pytest.mark.parametrize(
    ("header", "code", "words"),
    [
        ([*HEADER_ZH, "备注"], "header_unknown", "无法识别的列：K「备注」"),
        (HEADER_ZH[:-1], "header_missing", "缺少必需的列：配件"),
        ([*HEADER_ZH, "VIN"], "header_repeated", "出现了多次：车辆识别代码"),
    ],
)
def test_a_header_that_does_not_fit_refuses_the_file(api, signed_in, header, code, words):
    browser, _, _ = signed_in
    answer = _import(browser, "bad.csv", csv_bytes([header, sheet_row()]))
    assert answer.status == 400
    assert f'data-error="{code}"' in answer.text and words in answer.text
    assert _import_items() == []


def test_an_old_xls_or_unreadable_file_is_refused_with_a_clear_message(signed_in):
    browser, _, _ = signed_in
    old = _import(browser, "old.xls", b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    broken = _import(browser, "broken.xlsx", b"PK\x03\x04 not really a zip")
    assert old.status == 400 and "另存为 .xlsx 或 CSV" in old.text
    assert broken.status == 400 and 'data-error="unreadable"' in broken.text


def test_an_import_without_the_csrf_token_is_refused(signed_in):
    browser, _, _ = signed_in
    data = csv_bytes([HEADER_ZH, sheet_row()])
    answer = browser.post_file("/portal/imports", {}, "x.csv", data)
    assert answer.status == 403 and _import_items() == []


def test_the_results_download_is_excel_ready_and_inert(api, signed_in):
    # Given an import with a row whose settlement number starts like a formula
    browser, _, _ = signed_in
    data = csv_bytes(
        [HEADER_ZH, sheet_row(), sheet_row(settlement_list_code="=HYPERLINK(1)", vin="")]
    )
    job = _job_path(_import(browser, "r.csv", data))
    run_handler(api, "run_jobs")
    # When the results are downloaded
    download = browser.get(f"{job}/results.csv")
    # Then the CSV starts with a BOM, has a row per row, and cannot run a formula in Excel
    assert download.status == 200 and download.headers["Content-Type"].startswith("text/csv")
    assert download.body.startswith("\ufeff".encode())
    table = list(csv.reader(io.StringIO(download.text.lstrip("\ufeff"))))
    assert table[0][:3] == ["行号", "结算清单编号", "结果"]
    assert [r[2] for r in table[1:]] == ["新增", "错误"]
    assert table[2][1] == "'=HYPERLINK(1)" and "必填" in table[2][6]


def test_the_results_download_names_flags_in_words_of_the_page_language(api, signed_in):
    # Given an import whose row is stored with a flag (the VIN's check digit does not match)
    browser, _, _ = signed_in
    data = csv_bytes([HEADER_ZH, sheet_row(vin=unique_vin(valid=False))])
    job = _job_path(_import(browser, "flags.csv", data))
    run_handler(api, "run_jobs")
    page = browser.get(job)
    # When the results are downloaded in Chinese and in English
    downloads = {
        lang: list(csv.reader(io.StringIO(browser.get(f"{job}/results.csv?lang={lang}").text)))
        for lang in ("zh-CN", "en")
    }
    # Then the flag reads as on the page, in that language, with its code kept after it
    assert "车辆识别代码校验位不符" in page.text
    assert downloads["zh-CN"][1][5] == "车辆识别代码校验位不符 (vin_check_digit)"
    assert downloads["en"][1][5] == "the VIN check digit does not match (vin_check_digit)"


def test_a_chunk_delivered_twice_keeps_its_first_results(api, signed_in):
    # Given an import whose chunk was processed once
    browser, _, _ = signed_in
    job = _job_path(_import(browser, "twice.csv", csv_bytes([HEADER_ZH, sheet_row()])))
    run_handler(api, "run_jobs")
    # When Lambda delivers the same chunk again
    assert run_handler(api, "run_jobs") == {"batchItemFailures": []}
    # Then the row still reads created (not the replay's unchanged)
    assert [r for r, _ in _results(browser.get(job)).values()] == ["created"]


def test_rows_of_a_voided_record_read_as_errors(api, signed_in):
    # Given a record the shop voided
    browser, _, token = signed_in
    payload = record_payload()
    record_id = api.post("/v1/records", payload, token).json["record_id"]
    api.post(f"/v1/records/{record_id}/void", {"reason": "重复"}, token)
    # When a file carries its settlement number again
    data = csv_bytes([HEADER_ZH, sheet_row(settlement_list_code=payload["settlement_list_code"])])
    job = _job_path(_import(browser, "void.csv", data))
    run_handler(api, "run_jobs")
    # Then the row is an error that says to use a new number
    result, text = _results(browser.get(job))[2]
    assert result == "error" and "请使用新的编号" in text


def test_another_shops_import_answers_like_a_missing_one(api, signed_in):
    browser, _, _ = signed_in
    job = _job_path(_import(browser, "mine.csv", csv_bytes([HEADER_ZH, sheet_row()])))
    other_shop, _ = api.new_shop()
    other = PortalClient(api.client)
    other.sign_in(other_shop["companycode"], other_shop["secret"])
    missing = "/portal/imports/" + "0" * 32
    assert other.get(job).status == other.get(missing).status == 404
    assert other.get(f"{job}/results.csv").status == 404


def test_templates_download_in_both_languages(signed_in):
    # When the shop downloads the templates
    browser, _, _ = signed_in
    xlsx = browser.get("/portal/templates/records-zh-CN.xlsx")
    csv_en = browser.get("/portal/templates/records-en.csv")
    # Then the workbook opens with the Chinese headers, and the CSV carries a BOM
    from openpyxl import load_workbook

    assert xlsx.status == 200 and xlsx.headers["Content-Type"].startswith("application/vnd.openxml")
    sheet = load_workbook(io.BytesIO(xlsx.body)).worksheets[0]
    headers = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert headers[:3] == ["结算清单编号", "车辆识别代码", "车牌号码"]
    assert csv_en.body.startswith("\ufeffSettlement number,VIN".encode())
    assert browser.get("/portal/templates/secrets.txt").status == 404


def test_the_imports_page_lists_recent_imports_and_documents_the_layout(signed_in):
    browser, _, _ = signed_in
    _job_path(_import(browser, "listed.csv", csv_bytes([HEADER_ZH, sheet_row()])))
    page = browser.get("/portal/imports")
    assert "listed.csv" in page.text and "1 行" in page.text
    assert "发动机油保养:1.5; 更换刹车片:2" in page.text  # the in-cell layout, by example


def test_a_chunk_whose_results_cannot_be_stored_is_retried_without_duplicates(api, signed_in):
    # Given an import, and storage that throttles the first attempt to store its results
    browser, _, token = signed_in
    job = _job_path(_import(browser, "retry.csv", csv_bytes([HEADER_ZH, sheet_row()])))
    from botocore.exceptions import ClientError

    from chalicelib.adapters.aws import dynamodb_client

    calls = {"n": 0}

    def throttle_once(**kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise ClientError(
                {"Error": {"Code": "ThrottlingException", "Message": "slow down"}}, "PutItem"
            )

    client = dynamodb_client()
    client.meta.events.register("before-call.dynamodb.PutItem", throttle_once)
    try:
        # When the handler fails the chunk and Lambda delivers it again
        first = run_handler(api, "run_jobs")
        second = run_handler(api, "run_jobs")
    finally:
        client.meta.events.unregister("before-call.dynamodb.PutItem", throttle_once)
    # Then the first delivery reports the chunk, the second completes it, and the row was
    # stored once (on the retry it reads unchanged: it was stored before the failure)
    assert len(first["batchItemFailures"]) == 1 and second == {"batchItemFailures": []}
    assert [r for r, _ in _results(browser.get(job)).values()] == ["unchanged"]
    assert len(_own_records(api, token)) == 1


@pytest.mark.parametrize("name", ["import-sample.csv", "import-sample.xlsx"])
def test_the_documented_sample_file_gives_the_documented_results(api, signed_in, name):
    # Given the demo sample spreadsheet README walks through
    from infra.samples import FORMULA_ROW, ROWS, SAMPLES

    browser, _, _ = signed_in
    expected = [result for _, _, result in ROWS]
    if name.endswith(".xlsx"):
        expected.append(FORMULA_ROW[2])
    # When the shop imports it and the chunks are processed
    job = _job_path(_import(browser, name, (SAMPLES / name).read_bytes()))
    run_handler(api, "run_jobs")
    # Then every row has the result the sample documents
    results = _results(browser.get(job))
    assert [r for r, _ in results.values()] == expected
    assert "vin_check_digit" not in results[4][1]  # flags show by name, in words
    assert "校验位不符" in results[4][1]
