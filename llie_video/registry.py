"""``Registry``: named implementations of one kind, the project's one way to pick one.

Models, sources and sinks, batch engines, estimator backends and the CLI's commands are each a
``Registry``: an implementation registers itself under a name, and a user's choice (a
``--model``, an ``--engine``, a spec's scheme) is looked up by that name. An unknown name is a
:class:`~llie_video.errors.UserError` that lists the known ones.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Generic, TypeVar

from llie_video.errors import UserError

T = TypeVar("T")


class Registry(Generic[T]):
    """Entries of one ``kind`` (``"model"``, ``"batch engine"`` ...) by name, in the order
    they were registered."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._entries: dict[str, T] = {}

    def register(self, name: str, entry: T, replace: bool = False) -> T:
        """Record ``entry`` under ``name`` and return it; a name is registered once unless
        ``replace``."""
        if name in self._entries and not replace:
            raise ValueError(f"{self.kind} {name!r} is already registered")
        self._entries[name] = entry
        return entry

    def get(self, name: str) -> T:
        """The entry of ``name``; a UserError naming the known ones if there is none."""
        try:
            return self._entries[name]
        except KeyError:
            raise UserError(f"unknown {self.kind} {name!r}; known: "
                            f"{', '.join(self._entries)}") from None

    def find(self, name: str) -> T | None:
        """The entry of ``name``, or None."""
        return self._entries.get(name)

    def names(self) -> list[str]:
        """The registered names, in registration order."""
        return list(self._entries)

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)
