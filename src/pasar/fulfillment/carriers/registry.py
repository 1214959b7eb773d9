"""The configured carriers, by code: one immutable value built at start-up.

Order matters: rate shopping breaks ties in favour of the carrier listed first. Not every
carrier is shopped at checkout (the sandbox only carries the demo's parcels unless the
carriers file says otherwise), and one is the default for labels when neither the seller
nor the order names a carrier.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from types import MappingProxyType

from pasar.fulfillment.carriers.base import Carrier
from pasar.fulfillment.carriers.sandbox import SandboxCarrier


class Carriers(Mapping[str, Carrier]):
    __slots__ = ("_by_code", "_default", "_shopped")

    def __init__(
        self,
        carriers: Iterable[Carrier],
        *,
        shopped: Iterable[str] | None = None,
        default: str | None = None,
    ) -> None:
        by_code: dict[str, Carrier] = {}
        for carrier in carriers:
            if carrier.code in by_code:
                raise ValueError(f"carrier code {carrier.code!r} is used twice")
            by_code[carrier.code] = carrier
        if not by_code:
            raise ValueError("at least one carrier is needed")
        chosen = (
            [c for c, v in by_code.items() if not isinstance(v, SandboxCarrier)]
            if shopped is None
            else list(dict.fromkeys(shopped))
        )
        unknown = [c for c in [*chosen, default] if c is not None and c not in by_code]
        if unknown:
            raise ValueError(f"unknown carrier codes {unknown}; known: {sorted(by_code)}")
        self._by_code = MappingProxyType(by_code)
        self._shopped = tuple(by_code[c] for c in by_code if c in chosen)
        self._default = default or (chosen[0] if chosen else next(iter(by_code)))

    def __getitem__(self, code: str) -> Carrier:
        return self._by_code[code]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_code)

    def __len__(self) -> int:
        return len(self._by_code)

    def __hash__(self) -> int:
        """Hashable like any immutable value (equal registries have the same codes)."""
        return hash(tuple(self._by_code))

    def __repr__(self) -> str:
        return f"Carriers({list(self._by_code)!r}, default={self._default!r})"

    def codes(self) -> tuple[str, ...]:
        return tuple(self._by_code)

    @property
    def shopped(self) -> tuple[Carrier, ...]:
        """The carriers checkout shops rates from, in their configured order."""
        return self._shopped

    @property
    def default_code(self) -> str:
        return self._default

    @property
    def sandbox(self) -> SandboxCarrier | None:
        """The first sandbox carrier, which the demo ships with."""
        return next((c for c in self._by_code.values() if isinstance(c, SandboxCarrier)), None)
