"""The consumers' door on the other stack: a route one stack kind serves is shut on the other.

The party: anyone holding a vehicle owner's proof (the VIN, the current plate and a settlement
number), who sends the consumers' door's one-stack routes to the other stack kind: feedback
(evaluations, complaints, follow-ups, the shop directory; JSON and pages) to the ministry,
which holds the national copy of the very record the proof opens, and the owner's grant pages
to a province, which holds the record too. Left open, feedback would land where no regulator
handles it and no shop reads it, and a province would answer grant pages for consent it does
not keep. What must hold: the door refuses before any service runs, with the answer of a route
that does not exist (404 `not_found`, or the pages' one "no match" sentence in the owner's
language); nothing is read, counted or written (every table and bucket holds what it held);
and each stack still serves its own consumers the same proof.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from chalicelib.doors.public.texts import consumer_texts
from tests.builders import record_payload, unique_plate, unique_vin
from tests.functional.conftest import Api
from tests.functional.sharing_support import ministry_vehicle, proof_form

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
JSON = {"Content-Type": "application/json"}
SCORES = dict.fromkeys(("appointment", "attitude", "quality", "speed", "price"), 5)
NO_MATCH_EN = consumer_texts("en")["no_match"]


def _feedback_attempts(proof: dict[str, str]) -> list[tuple[str, str, dict[str, str], str]]:
    """Every feedback route (method, path, headers, body), carrying the owner's proof."""
    evaluation = {**proof, "scores": SCORES, "tags": [], "text": "fine"}
    complaint = {**proof, "kind": "incorrect", "text": "the mileage is wrong"}
    form = {**proof, "lang": "en", "ref": "0" * 32, "text": "the mileage is wrong"}
    scores = {f"score_{name}": "5" for name in SCORES}
    return [
        ("POST", "/v1/evaluations", JSON, json.dumps(evaluation)),
        ("POST", "/v1/complaints", JSON, json.dumps(complaint)),
        ("POST", "/v1/complaints/follow", JSON, json.dumps({"code": "TS0000000000000000"})),
        ("GET", "/v1/directory/divisions", {}, ""),
        ("GET", "/v1/directory/shops?division=320102", {}, ""),
        ("POST", "/evaluate", FORM, urlencode(form)),
        ("POST", "/evaluate/submit", FORM, urlencode({**form, **scores})),
        ("POST", "/complain", FORM, urlencode(form)),
        ("GET", "/complain/new?lang=en&shop=320102000000001", {}, ""),
        ("POST", "/complain/submit?lang=en&kind=incorrect", FORM, urlencode(form)),
        ("GET", "/complaints/follow?lang=en", {}, ""),
        ("POST", "/complaints/follow", FORM, urlencode({"lang": "en", "code": "TS00"})),
        ("GET", "/shops?lang=en&division=320102", {}, ""),
    ]


def _grant_attempts(proof: dict[str, str]) -> list[tuple[str, str, dict[str, str], str]]:
    """Every grant page (method, path, headers, body), carrying the owner's proof."""
    form = {**proof, "lang": "en"}
    return [
        ("GET", "/grants?lang=en", {}, ""),
        ("POST", "/grants", FORM, urlencode(form)),
        ("POST", "/grants/create", FORM, urlencode({**form, "option": "AG1:claims", "days": "7"})),
        ("POST", "/grants/revoke", FORM, urlencode({**form, "grant_id": "GR0000000000000000"})),
    ]


def _send(api: Api, attempt: tuple[str, str, dict[str, str], str]) -> Any:
    method, path, headers, body = attempt
    return api.client.http.request(method, path, headers=headers, body=body or None)


def _stored() -> dict[str, int]:
    """How many items each table holds, and how many objects each bucket."""
    import boto3

    dynamodb, s3 = boto3.client("dynamodb"), boto3.client("s3")
    counts = {}
    for table in dynamodb.list_tables()["TableNames"]:
        pages = dynamodb.get_paginator("scan").paginate(TableName=table, Select="COUNT")
        counts[table] = sum(page["Count"] for page in pages)
    for bucket in s3.list_buckets()["Buckets"]:
        counts[bucket["Name"]] = s3.list_objects_v2(Bucket=bucket["Name"])["KeyCount"]
    return counts


def _refused_as_missing(response: Any) -> bool:
    """A route that does not exist here: 404 `not_found` (JSON), or the pages' one "no match"
    sentence in the language the owner asked for."""
    if response.status_code != 404:
        return False
    text = response.body.decode("utf-8")
    if response.headers["Content-Type"].startswith("application/json"):
        return json.loads(text)["code"] == "not_found"
    return '<html lang="en">' in text and NO_MATCH_EN in text


def test_feedback_sent_to_the_ministry_is_refused_before_anything_runs(ministry_api):
    # Given a vehicle whose record the ministry holds (sent by its province), and the owner's proof
    vehicle = ministry_vehicle(ministry_api, flagged=False)
    proof = proof_form(vehicle)
    before = _stored()
    # When the proof is sent to every feedback route of the ministry, JSON and pages
    answers = {attempt[:2]: _send(ministry_api, attempt) for attempt in _feedback_attempts(proof)}
    # Then each is refused as a route that does not exist there, in the owner's language
    refused = {route for route, answer in answers.items() if _refused_as_missing(answer)}
    assert refused == set(answers)
    # And nothing was read, counted or written: every table and bucket holds what it held
    assert _stored() == before
    # And the ministry still serves the owner its own consumer page with the same proof
    opened = ministry_api.client.http.post("/grants", headers=FORM, body=urlencode(proof))
    assert opened.status_code == 200
    assert vehicle["vin"] in opened.body.decode("utf-8")


def test_grant_pages_sent_to_a_province_are_refused_before_anything_runs(api, shop):
    # Given a vehicle recorded at a province, and the owner's proof
    _, token = shop
    payload = record_payload(vin=unique_vin(), plate_number=unique_plate())
    assert api.post("/v1/records", payload, token).status_code == 201
    proof = {
        "vin": payload["vin"],
        "plate": payload["plate_number"],
        "settlement_list_code": payload["settlement_list_code"],
    }
    before = _stored()
    # When the proof is sent to every grant page of the province
    answers = {attempt[:2]: _send(api, attempt) for attempt in _grant_attempts(proof)}
    # Then each is refused as a page that does not exist there, in the owner's language
    refused = {route for route, answer in answers.items() if _refused_as_missing(answer)}
    assert refused == set(answers)
    # And nothing was read, counted or written
    assert _stored() == before
    # And the province still takes the owner's evaluation with the same proof
    evaluation = {**proof, "scores": SCORES, "tags": [], "text": "fine"}
    assert api.post("/v1/evaluations", evaluation).status_code == 201
