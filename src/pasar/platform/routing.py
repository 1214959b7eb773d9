"""Route lookup that passes over a whole module on its path prefixes.

FastAPI finds a request's route by asking every route in turn, through every included
router, and each ask costs about 13 µs of bookkeeping on top of the regex. With ~300 routes
a request for a module mounted late (checkout, the storefront) spent ~4 ms of CPU finding
its route, a fifth of a cart step. A module's routes start with a few literal prefixes
(`/api/v1/carts/`, `/seller/`) or are fixed paths, so a set lookup and one
`str.startswith` say whether any of them can match; only a module that can is asked route
by route.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter
from starlette.routing import Match, Mount
from starlette.types import Scope


class GuardedRouter(APIRouter):
    """An APIRouter that answers "no match" at once for a path that is neither one of its
    fixed paths nor under the literal start of one of its templated paths.

    Use it for a module's top router (the one the app includes). It adds no level of
    inclusion: FastAPI rebuilds every route's state at each level, which costs more at app
    start than the guard saves. The paths are read on the first request; routes added after
    that are not seen by the guard.
    """

    _shape: PathShape | None = None

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] == "http":
            if self._shape is None:
                self._shape = PathShape.of(self.routes)
            if not self._shape.admits(route_path(scope)):
                return Match.NONE, {}
        return super().matches(scope)


@dataclass(frozen=True)
class PathShape:
    """Fixed paths, matched exactly, and the literal starts of templated paths and mounts."""

    exact: frozenset[str]
    prefixes: tuple[str, ...]

    @classmethod
    def of(cls, routes: Iterable[Any]) -> PathShape:
        exact: set[str] = set()
        starts: set[str] = set()
        for path, templated in _paths(routes):
            if templated:
                starts.add(path.split("{", 1)[0])
            else:
                exact.add(path)
        kept: list[str] = []
        for start in sorted(starts):
            if not any(start.startswith(shorter) for shorter in kept):
                kept.append(start)
        return cls(frozenset(exact), tuple(kept))

    def admits(self, path: str) -> bool:
        return path in self.exact or path.startswith(self.prefixes)


def _paths(routes: Iterable[Any]) -> Iterator[tuple[str, bool]]:
    """(path, whether it matches more than itself) of every route, through included routers
    of any depth (FastAPI keeps them nested and exposes each level's effective routes as
    `effective_candidates()`)."""
    for route in routes:
        path = getattr(route, "path", None)
        nested = getattr(route, "effective_candidates", None)
        if isinstance(route, Mount) or isinstance(getattr(route, "starlette_route", None), Mount):
            yield (route.path or "/"), True
        elif isinstance(path, str) and path:
            yield path, "{" in path
        elif callable(nested):
            yield from _paths(nested())
        else:  # a route we cannot read: never pass over this module
            yield "/", True


def route_path(scope: Scope) -> str:
    """The path routes are matched against: the request path under the app's root path."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    if root and path.startswith(root):
        return path[len(root) :] or "/"
    return path
