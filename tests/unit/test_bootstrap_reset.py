"""The composition root forgets everything it built: every factory is a registered singleton.

Tests switch moto contexts and settings between suites with `bootstrap.reset()`; a factory
cached outside the registry would hand the next suite a service bound to the last one.
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Iterator
from pathlib import Path

import pytest

from chalicelib import bootstrap
from chalicelib.composition import Singleton
from chalicelib.config import get_settings

SOURCE = Path(inspect.getfile(bootstrap))


def _decorated_functions() -> dict[str, list[str]]:
    """Each module-level function of bootstrap.py with its decorators as written."""
    tree = ast.parse(SOURCE.read_text(encoding="utf-8"))
    return {
        node.name: [ast.unparse(d) for d in node.decorator_list]
        for node in tree.body
        if isinstance(node, ast.FunctionDef)
    }


@pytest.fixture
def every_setting(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A province configured for every factory, the forwarder's ministry link included."""
    monkeypatch.setenv("MINISTRY_URL", "http://127.0.0.1:9/exchange")
    monkeypatch.setenv("EXCHANGE_SECRET", "test-exchange-secret-0123456789abcdef")
    monkeypatch.setenv("DEAD_LETTER_QUEUE_URL", "http://127.0.0.1:9/000000000000/dead-letters")
    bootstrap.reset()
    yield
    bootstrap.reset()  # the next test reads the environment as monkeypatch restores it


def test_every_factory_is_declared_as_a_registered_singleton():
    # Given the module-level functions of bootstrap.py that carry a decorator
    decorated = {name: d for name, d in _decorated_functions().items() if d}
    # Then each carries `@singleton` alone: no functools.cache / lru_cache of its own
    assert {name: d for name, d in decorated.items() if d != ["singleton"]} == {}
    # And each one is in the registry that `reset()` clears, nothing more
    registered = {f.__name__ for f in bootstrap.singleton.factories}
    assert registered == set(decorated)
    assert len(registered) >= 40


def test_nothing_in_bootstrap_keeps_a_cache_that_reset_does_not_clear():
    # Given every object bootstrap defines that can hold a cache (anything with cache_clear)
    caches = {
        name: value
        for name, value in vars(bootstrap).items()
        if hasattr(value, "cache_clear") and getattr(value, "__module__", "") == bootstrap.__name__
    }
    # Then each is a singleton of the registry (a plain functools.cache would fail here)
    strays = {
        name
        for name, value in caches.items()
        if not isinstance(value, Singleton) or value not in bootstrap.singleton.factories
    }
    assert strays == set()
    assert len(caches) == len(bootstrap.singleton.factories)


@pytest.mark.usefixtures("every_setting")
def test_reset_makes_every_factory_build_anew():
    # Given every registered factory built once (offline: adapters create no connection yet)
    factories = bootstrap.singleton.factories
    before = {f.__name__: f() for f in factories}
    assert all(f() is before[f.__name__] for f in factories)  # kept while the process lives
    # When the composition root is reset
    bootstrap.reset()
    # Then each one builds a new object on its next call
    kept = sorted(f.__name__ for f in factories if f() is before[f.__name__])
    assert kept == []


@pytest.mark.usefixtures("every_setting")
def test_reset_reads_the_settings_again(monkeypatch: pytest.MonkeyPatch):
    # Given settings read for one province
    assert get_settings().province_code == "320000"
    # When the environment names another and the composition root is reset
    monkeypatch.setenv("PROVINCE_CODE", "330000")
    bootstrap.reset()
    # Then the settings factories build from are read again
    assert get_settings().province_code == "330000"
