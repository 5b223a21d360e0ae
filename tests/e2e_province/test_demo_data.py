"""The demo data `make run` loads, over real HTTP: the demo vehicle, the idle demo shop and the
demo complaint the console walkthrough relies on."""

from __future__ import annotations

from infra.demo_data import DEMO_COMPLAINT_TEXT, file_demo_complaint, seed_demo_vehicle
from infra.seed import (
    DEMO_SHOP_NAME,
    DEMO_SHOP_SECRET,
    IDLE_DEMO_SHOP_NAME,
    IDLE_DEMO_USCC,
    create_demo_shop,
)

TABLE = "vmehr-e2e-320000"


def test_the_demo_complaint_is_filed_with_its_photo_about_the_demo_shop(http):
    # Given the demo shop and its uploaded demo vehicle, as `make run` seeds them
    shop = create_demo_shop(TABLE, "320102")
    seed_demo_vehicle(http.base, shop.companycode, DEMO_SHOP_SECRET, DEMO_SHOP_NAME)
    # When the demo complaint is filed (twice: `make run` may retry)
    code = file_demo_complaint(http.base)
    again = file_demo_complaint(http.base)
    # Then it is one complaint about the demo shop, waiting for the regulator, with its photo
    assert again == code
    complaint = http.call("GET", f"/v1/complaints/{code}", token=http.regulator()).body
    assert complaint["companycode"] == shop.companycode
    assert complaint["status"] == "submitted" and complaint["text"] == DEMO_COMPLAINT_TEXT
    assert complaint["has_photo"] is True


def test_the_idle_demo_shop_is_registered_and_can_read_its_reminders(http):
    # Given the idle demo shop, as `make run` registers it
    idle = create_demo_shop(
        TABLE, "320102", IDLE_DEMO_SHOP_NAME, IDLE_DEMO_USCC, shop_class="quick_service"
    )
    # When a regulator reminds it and it reads its reminders with the demo secret
    token = http.token(idle.companycode, DEMO_SHOP_SECRET)
    sent = http.call(
        "POST",
        "/v1/reminders",
        {"companycodes": [idle.companycode], "title": "请上传", "body": "请及时上传维修记录"},
        http.regulator(),
    )
    inbox = http.call("GET", "/v1/shop/reminders", token=token).body
    # Then the reminder is there, unread, in its class of quick-service shops
    assert sent.status == 201
    assert [r["reminder_id"] for r in inbox["reminders"]] == [sent.body["reminder_id"]]
    assert inbox["unread"] == 1
    entry = http.call("GET", f"/v1/shops/{idle.companycode}", token=http.regulator()).body
    assert entry["shop_class"] == "quick_service"
