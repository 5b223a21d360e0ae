"""Every port of the services has an in-memory fake in tests/fakes.py, with the port's methods.

Why: a port added without a fake leaves its service testable only through moto, and a fake
whose method drifted from its port tests a contract nobody implements. mypy checks the fakes'
types against the ports (tests/fakes.py `_conformance`); this finds the ports themselves, so
a new Protocol anywhere in chalicelib/services fails here until its fake exists.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from typing import Protocol

import pytest

import chalicelib.services
from tests.fakes import PORTS


def _ports() -> dict[str, type]:
    found = {}
    for module_info in pkgutil.iter_modules(chalicelib.services.__path__):
        module = importlib.import_module(f"chalicelib.services.{module_info.name}")
        for name, value in vars(module).items():
            if (
                inspect.isclass(value)
                and value.__module__ == module.__name__
                and getattr(value, "_is_protocol", False)
                and value is not Protocol
            ):
                found[f"{module.__name__}.{name}"] = value
    return found


def _methods(port: type) -> dict[str, inspect.Signature]:
    methods = {}
    for klass in port.__mro__:
        if klass in (object, Protocol) or not getattr(klass, "_is_protocol", False):
            continue
        for name, value in vars(klass).items():
            if inspect.isfunction(value) and not name.startswith("_"):
                methods.setdefault(name, inspect.signature(value))
    return methods


def test_every_port_of_the_services_has_a_fake():
    # Given the Protocols declared in chalicelib/services (ports modules and inline ones)
    ports = _ports()
    # When they are looked up among the fakes
    missing = sorted(set(ports) - set(PORTS))
    stale = sorted(set(PORTS) - set(ports))
    # Then each has one, and no fake stands for a port that no longer exists
    assert missing == []
    assert stale == []


@pytest.mark.parametrize("port_name", sorted(_ports()))
def test_each_fake_has_its_ports_methods_with_the_same_parameters(port_name):
    # Given a port and its fake
    port, fake = _ports()[port_name], PORTS[port_name]
    for name, signature in _methods(port).items():
        # When the fake's method of that name is read
        implemented = getattr(fake, name, None)
        # Then it exists and takes the port's parameters, by name and kind
        assert callable(implemented), f"{fake.__name__} lacks {name}"
        expected = [(p.name, p.kind) for p in signature.parameters.values()]
        actual = [(p.name, p.kind) for p in inspect.signature(implemented).parameters.values()]
        assert actual == expected, f"{fake.__name__}.{name}"
