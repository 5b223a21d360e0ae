"""The consumers' door: owners and buyers, who hold no account, on both stacks.

Why: what stands in for an account is proof of possession (VIN + plate; the settlement number
too, to write) and the public limits per client address and per VIN (`PublicGate`). The hosted
pages and the public JSON API call the same services and parse into the same models. The door
serves both stacks (at the ministry the history is national); feedback is the provinces' (they
hold it) and an owner's grants to agencies are the ministry's, which those routes state.
"""

from __future__ import annotations

from pathlib import Path

from chalicelib.doors.kit.door import Door
from chalicelib.doors.kit.errors import rest_errors
from chalicelib.doors.kit.operations import BOTH
from chalicelib.doors.public.errors import message_errors, page_language

door = Door(
    "public",
    stacks=BOTH,
    json_errors=rest_errors,
    page_errors=message_errors(page_language()),
    templates=Path(__file__).with_name("templates"),
)
