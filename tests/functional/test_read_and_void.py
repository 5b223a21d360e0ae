"""Reading, listing and voiding a shop's own records; consumers' history with plate proof."""

from __future__ import annotations

from urllib.parse import quote

from tests.builders import record_payload, unique_plate, unique_vin


def test_another_shops_record_answers_404_for_read_versions_and_void(api, shop):
    # Given shop B's record
    _, token_b = shop
    record_id = api.post("/v1/records", record_payload(), token_b).json["record_id"]
    _, token_a = api.new_shop()
    # When shop A reads, lists versions of, or voids it
    read = api.get(f"/v1/records/{record_id}", token_a)
    versions = api.get(f"/v1/records/{record_id}/versions", token_a)
    void = api.post(f"/v1/records/{record_id}/void", {"reason": "不是我的"}, token_a)
    # Then each answers the same 404, and B's record is untouched
    assert read.status_code == versions.status_code == void.status_code == 404
    assert read.json == void.json
    assert api.get(f"/v1/records/{record_id}", token_b).json["status"] == "active"


def test_same_settlement_number_in_two_shops_makes_two_records(api, shop):
    _, token_b = shop
    payload = record_payload()
    b = api.post("/v1/records", payload, token_b).json
    _, token_a = api.new_shop()
    a = api.post("/v1/records", payload, token_a).json
    assert a["result"] == b["result"] == "created"
    assert a["record_id"] != b["record_id"]
    assert api.get(f"/v1/records/{b['record_id']}", token_b).json["version"] == 1


def test_void_marks_the_record_void_keeps_it_and_drops_it_from_history(api, shop):
    # Given a record in a vehicle's history
    _, token = shop
    payload = record_payload()
    record_id = api.post("/v1/records", payload, token).json["record_id"]
    history = f"/v1/vehicles/{payload['vin']}/history?plate={payload['plate_number']}"
    assert api.get(history).status_code == 200
    # When the shop voids it, twice (a retry)
    first = api.post(f"/v1/records/{record_id}/void", {"reason": "重复录入"}, token)
    second = api.post(f"/v1/records/{record_id}/void", {"reason": "重复录入"}, token)
    # Then it is void at version 2, still readable with its versions, and gone from history
    assert first.status_code == second.status_code == 200
    assert first.json["version"] == second.json["version"] == 2
    stored = api.get(f"/v1/records/{record_id}", token).json
    assert (stored["status"], stored["reason"]) == ("void", "重复录入")
    assert len(api.get(f"/v1/records/{record_id}/versions", token).json["versions"]) == 2
    assert api.get(history).status_code == 404


def test_uploading_a_voided_settlement_list_again_is_a_conflict(api, shop):
    _, token = shop
    payload = record_payload()
    record_id = api.post("/v1/records", payload, token).json["record_id"]
    api.post(f"/v1/records/{record_id}/void", {"reason": "作废"}, token)
    again = api.post("/v1/records", payload, token)
    assert again.status_code == 409
    assert again.json["code"] == "record_voided"


def test_void_needs_a_reason(api, shop):
    _, token = shop
    record_id = api.post("/v1/records", record_payload(), token).json["record_id"]
    response = api.post(f"/v1/records/{record_id}/void", {"reason": "  "}, token)
    assert response.status_code == 400
    assert response.json["errors"][0]["field"] == "reason"


def test_list_own_records_by_date_range_with_pages(api, shop):
    # Given five records settled on consecutive days and one outside the range
    _, token = shop
    for day in range(1, 6):
        iso = f"2024-04-0{day}"
        api.post("/v1/records", record_payload(repair_date=iso, settlement_date=iso), token)
    api.post(
        "/v1/records", record_payload(repair_date="2024-05-20", settlement_date="2024-05-20"), token
    )
    _, other_token = api.new_shop()
    api.post("/v1/records", record_payload(settlement_date="2024-04-03"), other_token)
    # When the shop pages through April two at a time
    seen, cursor = [], None
    while True:
        path = "/v1/records?from=2024-04-01&to=2024-04-30&limit=2"
        page = api.get(path + (f"&cursor={cursor}" if cursor else ""), token).json
        seen += [r["settlement_date"] for r in page["records"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    # Then it sees exactly its five April records, newest first
    assert seen == [f"2024-04-0{d}" for d in range(5, 0, -1)]


def test_a_cursor_from_another_listing_is_refused(api, shop):
    _, token = shop
    for _ in range(3):
        api.post("/v1/records", record_payload(), token)
    cursor = api.get("/v1/records?from=2024-01-01&to=2024-12-31&limit=1", token).json["next_cursor"]
    _, other = api.new_shop()
    response = api.get(f"/v1/records?from=2024-01-01&to=2024-12-31&cursor={cursor}", other)
    assert response.status_code == 400
    assert response.json["errors"][0]["rule"] == "valid_cursor"


def test_history_is_in_settlement_order_across_shops_without_internals(api, shop):
    # Given one vehicle serviced by two shops, uploaded out of order
    _, token_a = shop
    _, token_b = api.new_shop()
    vin, plate = unique_vin(), unique_plate()
    late = record_payload(
        vin=vin,
        plate_number=plate,
        repair_date="2024-08-01",
        settlement_date="2024-08-02",
        repair_mileage=20000,
    )
    early = record_payload(
        vin=vin,
        plate_number=plate,
        repair_date="2024-01-01",
        settlement_date="2024-01-01",
        repair_mileage=10000,
    )
    api.post("/v1/records", late, token_b)
    api.post("/v1/records", early, token_a)
    # When the owner asks with VIN and plate (lower case, with a separator)
    response = api.get(f"/v1/vehicles/{vin.lower()}/history?plate={plate[:2]}·{plate[2:]}")
    # Then both records come back in date order, with shop name and class but no internals
    assert response.status_code == 200
    records = response.json["records"]
    assert [r["settlement_date"] for r in records] == ["2024-01-01", "2024-08-02"]
    assert records[0]["shop"]["shop_class_label"] == "二类"
    # (keys, quoted: a random VIN or plate may well contain the letters "PK")
    text = str(response.json)
    for secret in ("companycode", "contact", "record_id", "secret", "PK", "uscc"):
        assert f"'{secret}" not in text


def test_wrong_plate_and_unknown_vin_get_the_same_404(api, shop):
    _, token = shop
    payload = record_payload()
    api.post("/v1/records", payload, token)
    wrong_plate = api.get(f"/v1/vehicles/{payload['vin']}/history?plate=苏B00000")
    no_plate = api.get(f"/v1/vehicles/{payload['vin']}/history")
    unknown = api.get(f"/v1/vehicles/{unique_vin()}/history?plate={payload['plate_number']}")
    assert wrong_plate.status_code == no_plate.status_code == unknown.status_code == 404
    assert wrong_plate.json == no_plate.json == unknown.json


def test_the_latest_plate_is_the_proof_after_a_plate_change(api, shop):
    _, token = shop
    vin = unique_vin()
    api.post("/v1/records", record_payload(vin=vin, plate_number="苏A11111"), token)
    later = record_payload(
        vin=vin,
        plate_number="苏A22222",
        repair_date="2024-09-01",
        settlement_date="2024-09-01",
        repair_mileage=15000,
    )
    api.post("/v1/records", later, token)
    assert api.get(f"/v1/vehicles/{vin}/history?plate=苏A11111").status_code == 404
    assert api.get(f"/v1/vehicles/{vin}/history?plate=苏A22222").status_code == 200


def test_the_public_history_never_shows_the_vehicles_earlier_plates(api, shop):
    # Given a vehicle that changed plates between two repairs
    _, token = shop
    vin, old_plate, new_plate = unique_vin(), unique_plate(), unique_plate()
    api.post("/v1/records", record_payload(vin=vin, plate_number=old_plate), token)
    later = record_payload(
        vin=vin,
        plate_number=new_plate,
        repair_date="2024-09-01",
        settlement_date="2024-09-01",
        repair_mileage=15000,
    )
    api.post("/v1/records", later, token)
    # When the new owner reads the history with the current plate
    history = api.get(f"/v1/vehicles/{vin}/history?plate={quote(new_plate)}")
    # Then both repairs are there, but no entry carries a plate, so the old one does not leak
    assert history.status_code == 200 and len(history.json["records"]) == 2
    assert all("plate_number" not in entry for entry in history.json["records"])
    assert old_plate not in history.body.decode("utf-8")


def test_correction_moving_the_settlement_date_moves_the_history_entry(api, shop):
    _, token = shop
    payload = record_payload()
    api.post("/v1/records", payload, token)
    moved = dict(payload, repair_date="2024-07-01", settlement_date="2024-07-02")
    assert api.post("/v1/records", moved, token).json["result"] == "corrected"
    history = api.get(
        f"/v1/vehicles/{payload['vin']}/history?plate={payload['plate_number']}"
    ).json["records"]
    assert [(r["settlement_date"], r["corrected"]) for r in history] == [("2024-07-02", True)]


def test_a_page_size_of_unicode_digits_is_a_400_not_a_500(api, shop):
    # Given a shop, and page sizes that str.isdigit() accepts but int() does not read
    _, token = shop
    for limit in ("%C2%B2", "%E2%91%A0"):  # "²", "①"
        # When it lists its records with one
        response = api.get(f"/v1/records?limit={limit}", token)
        # Then the parameter is refused by name, as any other bad page size
        assert response.status_code == 400, response.json
        assert response.json["errors"][0]["field"] == "limit"
