"""Service evaluations: proof, once per record, idempotent retries, shop reply, shrunk ratings."""

from __future__ import annotations

import pytest

from tests.builders import evaluation_payload, record_payload, unique_plate, unique_vin


@pytest.fixture
def repair(api, shop):
    """A shop's uploaded record: (shop entry, shop token, vin, plate, settlement number)."""
    entry, token = shop
    vin, plate = unique_vin(), unique_plate()
    payload = record_payload(vin=vin, plate_number=plate)
    assert api.post("/v1/records", payload, token).status_code == 201
    return entry, token, vin, plate, payload["settlement_list_code"]


def test_an_owner_with_the_settlement_list_rates_the_repair_once(api, repair):
    # Given a record and the owner's settlement list
    _, _, vin, plate, code = repair
    # When the owner submits an evaluation
    response = api.post("/v1/evaluations", evaluation_payload(vin, plate, code))
    # Then it is stored, with its mean score, level and tags in words
    assert response.status_code == 201, response.json
    assert response.json["overall"] == "4.20"
    assert response.json["level"] == "good"
    assert {t["label"] for t in response.json["tags"]} == {"服务热情", "价格实惠"}


def test_a_retry_answers_the_same_evaluation_and_counts_once(api, repair):
    # Given an evaluation already accepted
    entry, _, vin, plate, code = repair
    body = evaluation_payload(vin, plate, code)
    first = api.post("/v1/evaluations", body)
    # When the owner's phone retries the same request twice
    again = [api.post("/v1/evaluations", body) for _ in range(2)]
    # Then both answer 200 with the first evaluation, and the shop is counted once
    assert [a.status_code for a in again] == [200, 200]
    assert all(a.json["created_at"] == first.json["created_at"] for a in again)
    shops = api.get(f"/v1/directory/shops?division={entry['division_code']}").json["shops"]
    assert next(s for s in shops if s["companycode"] == entry["companycode"])["count"] == 1


def test_a_second_different_evaluation_of_the_same_repair_is_refused(api, repair):
    _, _, vin, plate, code = repair
    api.post("/v1/evaluations", evaluation_payload(vin, plate, code))
    response = api.post("/v1/evaluations", evaluation_payload(vin, plate, code, text="改主意了"))
    assert response.status_code == 409
    assert response.json["code"] == "already_evaluated"


@pytest.mark.parametrize(
    "change",
    [
        {"plate": "苏Z99999"},
        {"settlement_list_code": "NOT-MINE"},
        {"vin": "LSVZZZZZZZZZZZZZZ"},
    ],
)
def test_every_failed_proof_gets_the_same_answer(api, repair, change):
    # Given a real record, and a proof with one part wrong
    _, _, vin, plate, code = repair
    body = {**evaluation_payload(vin, plate, code), **change}
    # When it is submitted
    response = api.post("/v1/evaluations", body)
    # Then the answer does not say which part was wrong
    assert response.status_code == 404
    assert response.json == {
        "code": "not_found",
        "message": "no record matches this VIN, plate and settlement number",
    }


@pytest.mark.parametrize(
    ("change", "field", "rule"),
    [
        (
            {"scores": {"appointment": 6, "attitude": 4, "quality": 5, "speed": 4, "price": 3}},
            "scores.appointment",
            "maximum",
        ),
        (
            {"scores": {"appointment": 5, "attitude": 4, "quality": 5, "speed": 4}},
            "scores.price",
            "required",
        ),
        ({"tags": ["not_a_tag"]}, "tags", "format"),
        ({"text": "好" * 501}, "text", "max_length"),
    ],
)
def test_bad_evaluations_name_the_field_and_rule(api, repair, change, field, rule):
    _, _, vin, plate, code = repair
    response = api.post("/v1/evaluations", {**evaluation_payload(vin, plate, code), **change})
    assert response.status_code == 400
    assert {"field": field, "rule": rule} in [
        {"field": e["field"], "rule": e["rule"]} for e in response.json["errors"]
    ]


def test_the_shop_replies_once_and_another_shop_cannot(api, repair):
    # Given an evaluation of the shop's repair
    _, token, vin, plate, code = repair
    api.post("/v1/evaluations", evaluation_payload(vin, plate, code))
    listed = api.get("/v1/shop/evaluations", token).json["evaluations"]
    record_id = listed[0]["record_id"]
    _, other_token = api.new_shop()
    # When another shop tries to reply, then the shop replies twice with different text
    intruder = api.post(f"/v1/shop/evaluations/{record_id}/reply", {"text": "x"}, other_token)
    first = api.post(f"/v1/shop/evaluations/{record_id}/reply", {"text": "感谢您的评价"}, token)
    second = api.post(f"/v1/shop/evaluations/{record_id}/reply", {"text": "再说一次"}, token)
    # Then the intruder sees nothing, the first reply stands and the second is refused
    assert intruder.status_code == 404
    assert first.status_code == 200 and first.json["reply"] == "感谢您的评价"
    assert second.status_code == 409 and second.json["code"] == "already_replied"


def test_shrunk_ratings_keep_shops_with_two_reviews_off_the_top_and_the_bottom(api, monkeypatch):
    # Given a client allowed many submissions (the hourly limit is tested elsewhere), and
    # four shops: two perfect reviews, twelve good ones (5 and 4 alternately), two of one
    # star and twelve of two stars: 28 reviews, so the prior is the province mean, 90/28
    _allow_submissions(monkeypatch, 100)
    shops = {name: api.new_shop() for name in ("few_good", "many_good", "few_bad", "many_bad")}

    def rate(name, score):
        vin, plate = unique_vin(), unique_plate()
        payload = record_payload(vin=vin, plate_number=plate)
        api.post("/v1/records", payload, shops[name][1])
        scores = dict.fromkeys(("appointment", "attitude", "quality", "speed", "price"), score)
        body = evaluation_payload(vin, plate, payload["settlement_list_code"], scores=scores)
        assert api.post("/v1/evaluations", body).status_code == 201

    for score in (5, 5):
        rate("few_good", score)
    for index in range(12):
        rate("many_good", 5 if index % 2 else 4)
    for score in (1, 1):
        rate("few_bad", score)
    for _ in range(12):
        rate("many_bad", 2)
    # When the district's directory is read
    division = shops["few_good"][0]["division_code"]
    listed = api.get(f"/v1/directory/shops?division={division}").json["shops"]
    order = {row["companycode"]: index for index, row in enumerate(listed)}
    by_name = {
        n: next(r for r in listed if r["companycode"] == s[0]["companycode"])
        for n, s in shops.items()
    }
    # Then each rating is (5 x 90/28 + sum) / (5 + n), and the two-review shops sit between
    assert by_name["few_good"]["rating"] == "3.72" and by_name["few_good"]["raw_mean"] == "5.00"
    assert by_name["few_bad"]["rating"] == "2.58" and by_name["few_bad"]["raw_mean"] == "1.00"
    assert by_name["many_good"]["rating"] == "4.12"
    assert by_name["many_bad"]["rating"] == "2.36"
    ranked = sorted(shops, key=lambda n: order[shops[n][0]["companycode"]])
    assert ranked == ["many_good", "few_good", "few_bad", "many_bad"]


def _allow_submissions(monkeypatch, limit):
    from chalicelib import bootstrap
    from chalicelib.config import get_settings

    monkeypatch.setenv("PUBLIC_SUBMIT_LIMIT", str(limit))
    get_settings.cache_clear()
    bootstrap.public_gate.cache_clear()
