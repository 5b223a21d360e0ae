"""The regulators' door: the JSON API of the province's and the ministry's regulators.

Why: a regulator (or a script of its office) signs in with username, password and TOTP code
and then acts within its role and districts (`domain.access_policy`). The door serves both
stacks (accounts, the audit trail, record search are on each); what only a province has (the
shop registry, complaints, reminders, OEM accounts) or only the ministry (the provinces'
exchange and credentials, agencies) says so at its route, and the other stack answers 404.
"""

from __future__ import annotations

from chalicelib.doors.kit.door import Door
from chalicelib.doors.kit.errors import rest_errors
from chalicelib.doors.kit.operations import BOTH

door = Door("regulator_api", stacks=BOTH, json_errors=rest_errors)
