"""The shops' door: how a DMS (or a script) uploads and reads a shop's records.

Why: a shop authenticates with its companycode and secret and then only ever touches its own
objects. Two wire shapes reach the same services: the REST API (`/v1/...`) and the national
`lcippro` interface (`national.py`), which answers in its own `{code, status}` terms.
"""

from __future__ import annotations

from chalicelib.doors.kit.door import Door
from chalicelib.doors.kit.errors import rest_errors
from chalicelib.doors.kit.operations import PROVINCE

door = Door("shop_api", stacks=PROVINCE, json_errors=rest_errors)
