"""The partners' door: systems of other organisations that exchange data with ours.

Why: three kinds of partner call in machine to machine, each with its own credential and
each on one stack: a province's forwarder at the ministry (部省联网, its exchange credential),
an agency reading a vehicle's national file at the ministry (its API key), and an OEM
uploading its dealers' records at a province (总对总, its account's secret). The door serves
both stacks, so every route states the one stack that serves it; errors are the REST door's
(`rest_errors`), mapped once.
"""

from __future__ import annotations

from chalicelib.doors.kit.door import Door
from chalicelib.doors.kit.errors import rest_errors
from chalicelib.doors.kit.operations import BOTH

door = Door("exchange", stacks=BOTH, json_errors=rest_errors)
