"""An OEM's 总对总 upload at a province reaches the ministry, where agencies read the vehicle:
a recall authority without consent, an insurer only after the owner's grant on the page."""

from __future__ import annotations

import urllib.parse
import urllib.request

import pytest

from infra.seed import DEMO_SHOP_NAME
from tests.builders import record_payload, shop_application
from tests.e2e_national.support import (
    JIANGSU_SHOP,
    NationalSystem,
    eventually,
    get,
    post,
)

pytestmark = pytest.mark.e2e


def test_an_oem_upload_is_the_dealers_and_agencies_read_it_nationally(
    national: NationalSystem,
) -> None:
    jiangsu, ministry = national.jiangsu, national.ministry
    # Given an OEM at Jiangsu representing the demo shop, and its token
    oem = post(
        f"{jiangsu.url}/v1/oem/accounts",
        {"name": "示范汽车（中国）", "uscc": shop_application()["uscc"], "dealers": [JIANGSU_SHOP]},
        national.regulator_token(jiangsu),
    )
    assert oem.status == 201, oem.json
    token = post(
        f"{jiangsu.url}/v1/oem/token", {"oem_id": oem.json["oem_id"], "secret": oem.json["secret"]}
    ).json["access_token"]
    # When the OEM uploads one record for its dealer
    payload = record_payload(company_name=DEMO_SHOP_NAME)
    batch = post(
        f"{jiangsu.url}/v1/oem/records/batch",
        {"records": [{"companycode": JIANGSU_SHOP, **payload}]},
        token,
    )
    result = batch.json["results"][0]
    assert (result["status_code"], result["companycode"]) == (201, JIANGSU_SHOP), batch.json

    # Then the ministry holds the version with its source, and counts it as 总对总
    def held() -> dict:
        head = national.ministry_head(result["record_id"])
        assert head is not None
        return head

    assert eventually(held)["source"] == f"oem:{oem.json['oem_id']}"

    def counted() -> None:
        stats = national.scan(national.stats_table(ministry))
        nation = [i for i in stats if i["PK"] == "STAT#nation#000000"]
        assert sum(int(i.get("oem_uploads", 0)) for i in nation) >= 1

    eventually(counted)
    # And at the ministry a recall authority reads the vehicle without consent
    admin = national.regulator_token(ministry)
    recall = _key(ministry.url, admin, "e2e 召回中心", "recall", "recall_campaign")
    insurer = _key(ministry.url, admin, "e2e 保险公司", "insurance", "claims_assessment")
    read = get(f"{ministry.url}/v1/agency/vehicles/{payload['vin']}/history", recall["key"])
    assert read.status == 200, read.json
    assert read.json["records"][0]["shop"]["province_code"] == "320000"
    # And an insurer only after the owner's grant on the ministry's page
    refused = get(f"{ministry.url}/v1/agency/vehicles/{payload['vin']}/history", insurer["key"])
    assert (refused.status, refused.json["code"]) == (403, "no_grant")
    granted = _form_post(
        f"{ministry.url}/grants/create",
        {
            "vin": payload["vin"],
            "plate": payload["plate_number"],
            "settlement_list_code": payload["settlement_list_code"],
            "option": f"{insurer['agency_id']}:claims_assessment",
            "days": "30",
        },
    )
    assert granted == 201
    allowed = get(f"{ministry.url}/v1/agency/vehicles/{payload['vin']}/history", insurer["key"])
    assert allowed.status == 200 and allowed.json["grant"] is not None


def _key(url: str, admin: str, name: str, kind: str, purpose: str) -> dict:
    agency = post(f"{url}/v1/agencies", {"name": name, "kind": kind}, admin)
    assert agency.status in (200, 201), agency.json
    key = post(f"{url}/v1/agencies/{agency.json['agency_id']}/keys", {"purpose": purpose}, admin)
    assert key.status == 201, key.json
    return dict(key.json)


def _form_post(url: str, form: dict[str, str]) -> int:
    data = urllib.parse.urlencode(form).encode()
    request = urllib.request.Request(
        url, data=data, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
