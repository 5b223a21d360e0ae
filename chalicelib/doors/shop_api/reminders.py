"""`/v1/shop/reminders`: a shop reads the notices regulators sent it (提醒通知) and marks them
read; the read receipt is counted once for the regulator's sent/read figures."""

from __future__ import annotations

from chalice import Response

from chalicelib.bootstrap import reminder_service
from chalicelib.doors.kit.auth import require_shop
from chalicelib.doors.kit.http import ANY_CONTENT_TYPE, int_param, json_response, query_params
from chalicelib.doors.kit.operations import BUSY, PAGE, Doc, path_param
from chalicelib.doors.shop_api.door import door
from chalicelib.doors.shop_api.models import DeliveryOut, ShopReminders
from chalicelib.doors.shop_api.views import delivery_view, reminders_view

REMINDERS = Doc(
    "The shop's reminders",
    "reminders",
    {200: ShopReminders},
    (400, 401, 404, *BUSY),
    auth="shop",
    params=PAGE,
)
READ = Doc(
    "Mark a reminder read",
    "reminders",
    {200: DeliveryOut},
    (401, 404, *BUSY),
    auth="shop",
    params=(path_param("reminder_id"),),
)


@door.route("/v1/shop/reminders", methods=["GET"], doc=REMINDERS)
def shop_reminders() -> Response:
    shop = require_shop(door.request)
    params = query_params(door.request)
    limit, cursor = int_param(params, "limit", 50), params.get("cursor")
    items, cursor = reminder_service().for_shop(shop, limit, cursor)
    return json_response(reminders_view(items, cursor))


@door.route(
    "/v1/shop/reminders/{reminder_id}/read",
    methods=["POST"],
    content_types=ANY_CONTENT_TYPE,
    doc=READ,
)
def read_reminder(reminder_id: str) -> Response:
    shop = require_shop(door.request)
    return json_response(delivery_view(reminder_service().read(shop, reminder_id)))
