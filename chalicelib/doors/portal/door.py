"""The shop portal's door: pages under /portal for shops without a DMS (province stacks).

Why: a shop clerk signs in with the shop's companycode and secret and enters, imports, reads,
corrects and voids the shop's own records, reads its scorecard and answers its messages. Every
page maps domain errors once, here: not signed in → the sign-in page (clearing only the shop
cookie), any other domain error → the portal's error page in the page language, with its
status; on the ministry stack every portal page is that 404 page.
"""

from __future__ import annotations

from pathlib import Path

from chalice import Response

from chalicelib.doors.kit.door import Door
from chalicelib.doors.kit.operations import PROVINCE
from chalicelib.doors.kit.session import page_errors
from chalicelib.doors.portal.pages import SIGN_IN, error_page


def _error_page(status: int, code: str) -> Response:
    return error_page(door.request, status, code)


door = Door(
    "portal",
    stacks=PROVINCE,
    page_errors=page_errors(SIGN_IN, _error_page, "shop"),
    templates=Path(__file__).with_name("templates"),
    template_prefix="portal",
)
