"""The singleton registry: each factory builds once, and clearing the registry forgets them all."""

from __future__ import annotations

import pytest

from chalicelib.composition import Registry


class _Built:
    """Something a factory builds: a fresh object each time, so identity tells builds apart."""


def test_a_singleton_builds_once_until_it_is_cleared():
    # Given a factory declared on a registry, counting its builds
    singleton, builds = Registry(), []

    @singleton
    def thing() -> _Built:
        """A thing."""
        builds.append(1)
        return _Built()

    # When it is called twice / Then it built once and answers the same object
    first = thing()
    assert thing() is first and len(builds) == 1
    # When its cache is cleared / Then the next call builds a new one
    thing.cache_clear()
    assert thing() is not first and len(builds) == 2
    # And it still reads as the function it wraps
    assert (thing.__name__, thing.__doc__, thing.__module__) == ("thing", "A thing.", __name__)


def test_a_build_that_raises_is_not_kept_and_is_tried_again():
    # Given a factory whose first build fails (a setting missing, then set)
    singleton, ready = Registry(), {"now": False}

    @singleton
    def guarded() -> _Built:
        if not ready["now"]:
            raise RuntimeError("not configured")
        return _Built()

    with pytest.raises(RuntimeError):
        guarded()
    # When the cause is gone / Then the next call builds (the failure was not cached)
    ready["now"] = True
    assert isinstance(guarded(), _Built)


def test_clearing_the_registry_forgets_every_factory_declared_on_it():
    # Given three factories on one registry, one depending on another, and one elsewhere
    singleton, elsewhere = Registry(), Registry()

    @singleton
    def a() -> _Built:
        return _Built()

    @singleton
    def b() -> tuple[_Built, _Built]:
        return (a(), _Built())

    @singleton
    def c() -> _Built:
        return _Built()

    @elsewhere
    def other() -> _Built:
        return _Built()

    before = (a(), b(), c(), other())
    # When the registry is cleared
    singleton.clear()
    # Then every factory declared on it builds anew, in declaration order, and the other
    # registry's factory keeps what it built
    after = (a(), b(), c(), other())
    assert [f.__name__ for f in singleton.factories] == ["a", "b", "c"]
    assert all(x is not y for x, y in zip(before[:3], after[:3], strict=True))
    assert after[1][0] is after[0]
    assert after[3] is before[3]
