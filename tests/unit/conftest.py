"""The unit tier is offline: no socket can be opened while it runs (style §5.10).

Why: a unit test that reaches a network (moto's server, AWS, the ministry) is a slower,
flakier functional test in disguise; refusing sockets makes that mistake fail at once, where
it is made, instead of hiding behind a fake that was never used.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest


class SocketBlockedError(RuntimeError):
    """A unit test tried to open a socket."""


class _NoSocket(socket.socket):
    def __init__(self, *args: object, **kwargs: object) -> None:
        raise SocketBlockedError("unit tests open no sockets: use the fakes in tests/fakes.py")


@pytest.fixture(autouse=True)
def _offline() -> Iterator[None]:
    """Per test, so a run of several tiers at once gives the others their sockets back."""
    real = socket.socket
    socket.socket = _NoSocket  # type: ignore[misc]
    try:
        yield
    finally:
        socket.socket = real  # type: ignore[misc]
