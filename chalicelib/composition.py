"""Once-per-process factories that register themselves, so one call forgets everything built.

Why: the composition root (`bootstrap`) builds each adapter and service on first use and keeps
it for the life of the Lambda instance, and tests must forget all of them between moto
contexts. A hand-kept list of caches to clear drifts as factories are added (one missing entry
leaks a service bound to the previous context into the next test). Here the decorator that
caches a factory also records it, so clearing the registry cannot miss one, and the wrapper keeps
the factory's return type so mypy checks every caller.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class Singleton(Generic[T_co]):
    """A factory without arguments whose first result is kept until `cache_clear`.

    Like `functools.cache` on a function without parameters: a build that raises is not kept,
    so the next call tries again (a stack missing a setting fails on each use, not once).
    """

    def __init__(self, build: Callable[[], T_co]) -> None:
        self._cached = functools.cache(build)
        self.__wrapped__ = build
        self.__name__ = build.__name__
        self.__qualname__ = build.__qualname__
        self.__module__ = build.__module__
        self.__doc__ = build.__doc__

    def __call__(self) -> T_co:
        return self._cached()

    def cache_clear(self) -> None:
        """Forget the built value: the next call builds a new one."""
        self._cached.cache_clear()

    def __repr__(self) -> str:
        return f"<singleton {self.__module__}.{self.__qualname__}>"


class Registry:
    """The singletons of one composition root, in the order they were declared."""

    def __init__(self) -> None:
        self._factories: list[Singleton[object]] = []

    def __call__(self, build: Callable[[], T]) -> Singleton[T]:
        """Decorator: cache `build` once per process and record it for `clear`."""
        factory = Singleton(build)
        self._factories.append(factory)
        return factory

    @property
    def factories(self) -> tuple[Singleton[object], ...]:
        return tuple(self._factories)

    def clear(self) -> None:
        """Forget every value built by a registered factory."""
        for factory in self._factories:
            factory.cache_clear()
