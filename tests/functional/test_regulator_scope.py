"""Roles and district scope on the registry routes: who sees and changes which shops."""

from __future__ import annotations

from tests.builders import shop_application, unique_plate, unique_vin
from tests.functional.conftest import add_regulator

XUANWU, QINHUAI, GULOU = "320102", "320104", "320106"


def _registry(api):
    """Three shops in three districts of Nanjing, registered by the province administrator."""
    return {d: api.register_shop(division_code=d)["companycode"] for d in (XUANWU, QINHUAI, GULOU)}


def _officer_token(api, *divisions: str) -> str:
    account = add_regulator(f"officer{''.join(divisions)}", "district_officer", divisions)
    return api.regulator_token(account)


def test_district_officer_lists_only_the_shops_of_its_districts(api):
    # Given shops in three districts and an officer for two of them
    shops = _registry(api)
    for _ in range(2):
        api.register_shop(division_code=QINHUAI)
    token = _officer_token(api, XUANWU, QINHUAI)
    # When it lists the registry
    listed = api.get("/v1/shops", token).json
    # Then it sees the shops of its two districts and none of 鼓楼区
    codes = {s["companycode"] for s in listed["shops"]}
    assert shops[GULOU] not in codes
    assert {shops[XUANWU], shops[QINHUAI]} <= codes
    assert all(c[:6] in (XUANWU, QINHUAI) for c in codes)
    assert len(codes) == 4


def test_district_listing_pages_across_its_divisions(api):
    # Given five shops over two districts and an officer for both
    for division in (XUANWU, XUANWU, QINHUAI, QINHUAI, QINHUAI):
        api.register_shop(division_code=division)
    api.register_shop(division_code=GULOU)
    token = _officer_token(api, XUANWU, QINHUAI)
    # When it reads the registry two shops at a time
    seen, cursor, pages = [], None, 0
    while True:
        path = "/v1/shops?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = api.get(path, token).json
        seen += [s["companycode"] for s in page["shops"]]
        pages += 1
        cursor = page["next_cursor"]
        if not cursor:
            break
    # Then every shop of its districts comes exactly once, in division order, and no other
    assert len(seen) == len(set(seen)) == 5
    assert [c[:6] for c in seen] == [XUANWU, XUANWU, QINHUAI, QINHUAI, QINHUAI]
    assert pages >= 3


def test_a_cursor_of_another_listing_is_refused(api):
    # Given a cursor issued to the province administrator's listing
    for _ in range(3):
        api.register_shop(division_code=GULOU)
    token = _officer_token(api, XUANWU)
    forged = "eyJkaXZpc2lvbiI6ICIzMjAxMDYiLCAia2V5IjogbnVsbH0="  # {"division": "320106", ...}
    # When a district officer sends it
    response = api.get(f"/v1/shops?cursor={forged}", token)
    # Then it is refused as a cursor this listing never issued
    assert response.status_code == 400
    assert response.json["errors"][0]["field"] == "cursor"


def test_district_officer_cannot_read_or_change_a_shop_of_another_district(api):
    # Given a shop in 鼓楼区 and an officer for 玄武区
    shops = _registry(api)
    token = _officer_token(api, XUANWU)
    other = shops[GULOU]
    # When it reads, suspends or rotates the other district's shop
    answers = [
        api.get(f"/v1/shops/{other}", token),
        api.post(f"/v1/shops/{other}/suspend", {}, token),
        api.post(f"/v1/shops/{other}/secret", {}, token),
    ]
    # Then each answer is the 404 of a shop that does not exist (existence does not leak)
    assert [a.status_code for a in answers] == [404, 404, 404]
    missing = api.get("/v1/shops/320106999999999", token)
    assert answers[0].json == missing.json
    # And its own district's shop is readable and changeable
    assert api.get(f"/v1/shops/{shops[XUANWU]}", token).status_code == 200
    assert api.post(f"/v1/shops/{shops[XUANWU]}/suspend", {}, token).status_code == 200


def test_district_officer_registers_shops_only_in_its_districts(api):
    # Given an officer for 玄武区
    token = _officer_token(api, XUANWU)
    # When it registers a shop in its district and one in 鼓楼区
    own = api.post("/v1/shops", shop_application(division_code=XUANWU), token)
    other = api.post("/v1/shops", shop_application(division_code=GULOU), token)
    # Then the first is registered and the second refused as outside its districts
    assert own.status_code == 201
    assert other.status_code == 403
    assert other.json["code"] == "out_of_scope"


def test_analyst_reads_the_registry_with_contacts_masked_and_changes_nothing(api):
    # Given a shop and the province analyst
    shops = _registry(api)
    account = add_regulator("reader", "province_analyst")
    token = api.regulator_token(account)
    # When it reads the shop and tries to change it
    entry = api.get(f"/v1/shops/{shops[XUANWU]}", token)
    # Then the contact person and phone are masked, and every change is refused
    assert entry.status_code == 200
    assert entry.json["contact_name"] == entry.json["contact_phone"] == "******"
    assert api.get(f"/v1/shops/{shops[XUANWU]}", api.regulator_token()).json["contact_phone"] == (
        "025-80000000"
    )
    assert api.post(f"/v1/shops/{shops[XUANWU]}/suspend", {}, token).status_code == 403
    assert api.post("/v1/shops", shop_application(), token).status_code == 403


def test_a_ministry_role_is_refused_on_a_province_stack(api):
    # Given an account with a ministry role in the province's table (a mistake in seeding)
    from chalicelib.config import get_settings
    from infra.seed import create_regulator
    from tests.functional.conftest import TOTP_SECRETS, _secret_for

    TOTP_SECRETS["national"] = _secret_for("national")
    create_regulator(
        get_settings().table_name,
        "national",
        "national-test-password",
        "ministry_admin",
        totp_secret=TOTP_SECRETS["national"],
        province_code="000000",
    )
    token = api.regulator_token(("national", "national-test-password"))
    # When it uses the registry and the account routes
    # Then everything is refused
    assert api.get("/v1/shops", token).status_code == 403
    assert api.get("/v1/admin/accounts", token).status_code == 403


def test_a_province_role_is_refused_on_the_ministry_stack(ministry_api):
    # Given a province administrator's account in the ministry's table (a mistake in seeding)
    from chalicelib.config import get_settings
    from infra.seed import create_regulator
    from tests.functional.conftest import TOTP_SECRETS, _secret_for

    TOTP_SECRETS["provincial"] = _secret_for("provincial")
    create_regulator(
        get_settings().table_name,
        "provincial",
        "provincial-test-password",
        "province_admin",
        totp_secret=TOTP_SECRETS["provincial"],
        province_code="320000",
    )
    token = ministry_api.regulator_token(("provincial", "provincial-test-password"))
    # When it asks for the provinces' status and the audit log
    # Then both are refused, while the ministry's own administrator is let in
    assert ministry_api.get("/v1/provinces", token).status_code == 403
    assert ministry_api.get("/v1/audit", token).status_code == 403
    assert ministry_api.get("/v1/provinces", ministry_api.regulator_token()).status_code == 200


def test_district_officer_sees_only_complaints_about_its_districts(api):
    # Given "not uploaded" complaints about a shop of 玄武区 and one of 鼓楼区
    shops = _registry(api)
    codes = {}
    for division in (XUANWU, GULOU):
        answer = api.post(
            "/v1/complaints",
            {
                "kind": "not_uploaded",
                "vin": unique_vin(),
                "plate": unique_plate(),
                "settlement_list_code": f"SCOPE-{division}",
                "companycode": shops[division],
                "settlement_date": "2024-03-02",
                "text": "没有上传维修记录",
            },
        )
        assert answer.status_code == 201, answer.json
        codes[division] = answer.json["code"]
    token = _officer_token(api, XUANWU)
    # When the officer of 玄武区 reads the queue and each complaint
    queue = api.get("/v1/complaints", token).json["complaints"]
    # Then only its district's complaint is there, and the other answers 404
    assert [c["code"] for c in queue] == [codes[XUANWU]]
    assert api.get(f"/v1/complaints/{codes[XUANWU]}", token).status_code == 200
    assert api.get(f"/v1/complaints/{codes[GULOU]}", token).status_code == 404
    assert api.post(f"/v1/complaints/{codes[GULOU]}/accept", {}, token).status_code == 404
    assert api.post(f"/v1/complaints/{codes[XUANWU]}/accept", {}, token).status_code == 200
