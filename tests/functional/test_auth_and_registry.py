"""Shop registration, credentials, tokens, lockout, rotation and suspension via HTTP."""

from __future__ import annotations

from tests.builders import record_payload, shop_application
from tests.functional.conftest import ANALYST


def test_registration_issues_a_15_digit_companycode_in_the_division(api):
    # Given a regulator and a valid application for a shop in 玄武区 (320102)
    token = api.regulator_token()
    # When two shops are registered
    first = api.post("/v1/shops", shop_application(), token).json
    second = api.post("/v1/shops", shop_application(), token).json
    # Then each gets a distinct companycode = division code + 9-digit sequence, and a secret
    assert first["companycode"] == "320102000000001"
    assert second["companycode"] == "320102000000002"
    assert len(first["secret"]) >= 24
    assert first["shop_class"] == "class_2"


def test_registration_rejects_bad_uscc_foreign_division_and_unknown_class(api):
    # Given an application with a wrong check character, a Hubei division and a made-up class
    application = shop_application(division_code="420102", shop_class="四类")
    application["uscc"] = application["uscc"][:-1] + (
        "0" if application["uscc"][-1] != "0" else "1"
    )
    # When it is submitted
    response = api.post("/v1/shops", application, api.regulator_token())
    # Then each failing field is named with its rule, and nothing is registered
    assert response.status_code == 400
    rules = {(e["field"], e["rule"]) for e in response.json["errors"]}
    assert rules == {
        ("uscc", "gb32100"),
        ("division_code", "this_province"),
        ("shop_class", "enum"),
    }
    assert api.get("/v1/shops", api.regulator_token()).json["shops"] == []


def test_unknown_division_code_is_refused(api):
    response = api.post(
        "/v1/shops", shop_application(division_code="329999"), api.regulator_token()
    )
    assert response.status_code == 400
    assert response.json["errors"][0]["rule"] == "gb_t_2260"


def test_same_uscc_cannot_be_registered_twice(api):
    token = api.regulator_token()
    application = shop_application()
    assert api.post("/v1/shops", application, token).status_code == 201
    again = api.post("/v1/shops", dict(application, name="另一个名字"), token)
    assert again.status_code == 409
    assert again.json["code"] == "uscc_already_registered"


def test_analyst_can_read_but_not_register(api):
    token = api.regulator_token(ANALYST)
    assert api.get("/v1/shops", token).status_code == 200
    assert api.post("/v1/shops", shop_application(), token).status_code == 403


def test_shop_token_cannot_use_regulator_routes_and_vice_versa(api, shop):
    # Given a shop token and a regulator token
    _, shop_token = shop
    regulator_token = api.regulator_token()
    # Then neither works on the other's routes
    assert api.get("/v1/shops", shop_token).status_code == 401
    assert api.post("/v1/records", record_payload(), regulator_token).status_code == 401


def test_wrong_secret_and_unknown_shop_get_the_same_401(api, shop):
    registered, _ = shop
    wrong = api.post("/v1/auth/token", {"companycode": registered["companycode"], "secret": "nope"})
    unknown = api.post("/v1/auth/token", {"companycode": "320102999999999", "secret": "nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert (
        wrong.json == unknown.json == {"code": "unauthorized", "message": "authentication failed"}
    )


def test_every_shop_route_needs_a_valid_token(api, shop):
    # Given no token, a made-up token and an empty bearer
    for token in (None, "0" * 32, ""):
        # When shop routes are called
        responses = [
            api.post("/v1/records", record_payload(), token),
            api.post("/v1/records/batch", {"records": [record_payload()]}, token),
            api.get("/v1/records", token),
            api.get("/v1/records/" + "a" * 32, token),
            api.get("/v1/records/" + "a" * 32 + "/versions", token),
            api.post("/v1/records/" + "a" * 32 + "/void", {"reason": "x"}, token),
            api.get("/v1/shops", token),
            api.post("/v1/shops", shop_application(), token),
        ]
        # Then every one answers 401 and reveals nothing
        assert {r.status_code for r in responses} == {401}


def test_repeated_failed_logins_lock_the_companycode_out(api, shop):
    # Given a shop whose secret is guessed wrongly five times
    registered, _ = shop
    attempt = {"companycode": registered["companycode"], "secret": "guess"}
    for _ in range(5):
        assert api.post("/v1/auth/token", attempt).status_code == 401
    # When the right secret is then used
    response = api.post(
        "/v1/auth/token", {"companycode": registered["companycode"], "secret": registered["secret"]}
    )
    # Then the login is refused for a while, with Retry-After
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0


def test_rotating_a_secret_ends_the_old_secret_and_its_tokens_at_once(api, shop):
    # Given a shop with a token issued under its first secret
    registered, old_token = shop
    # When the regulator rotates its secret
    rotated = api.post(f"/v1/shops/{registered['companycode']}/secret", {}, api.regulator_token())
    assert rotated.status_code == 200
    # Then the old secret and old token fail, and the new secret works
    old_login = {"companycode": registered["companycode"], "secret": registered["secret"]}
    assert api.post("/v1/auth/token", old_login).status_code == 401
    assert api.get("/v1/records", old_token).status_code == 401
    new_token = api.shop_token(registered["companycode"], rotated.json["secret"])
    assert api.get("/v1/records", new_token).status_code == 200


def test_suspended_shop_cannot_upload_but_can_read_and_is_reinstated(api, shop):
    # Given a shop that uploaded a record and was then suspended
    registered, token = shop
    record_id = api.post("/v1/records", record_payload(), token).json["record_id"]
    regulator = api.regulator_token()
    assert (
        api.post(f"/v1/shops/{registered['companycode']}/suspend", {}, regulator).json["status"]
        == "suspended"
    )
    # When it uploads or voids
    upload = api.post("/v1/records", record_payload(), token)
    void = api.post(f"/v1/records/{record_id}/void", {"reason": "错误"}, token)
    # Then both are forbidden, while reading still works
    assert upload.status_code == void.status_code == 403
    assert upload.json["code"] == "shop_suspended"
    assert api.get(f"/v1/records/{record_id}", token).status_code == 200
    # And after reinstatement uploads work again
    api.post(f"/v1/shops/{registered['companycode']}/reinstate", {}, regulator)
    assert api.post("/v1/records", record_payload(), token).status_code == 201


def test_secrets_are_stored_only_as_slow_hashes(api, shop):
    # Given a registered shop
    registered, _ = shop
    import boto3

    from chalicelib.config import get_settings

    # When the whole table is scanned
    items = boto3.client("dynamodb").scan(TableName=get_settings().table_name)["Items"]
    # Then the secret appears nowhere in clear, and its credential item holds an scrypt hash
    assert registered["secret"] not in str(items)
    hashes = [i["secret_hash"]["S"] for i in items if "secret_hash" in i]
    assert hashes and all(h.startswith("scrypt$16384$8$1$") for h in hashes)
