"""An address as documents print it: already chosen, already formatted by the caller's data."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class DocAddress:
    """A postal address. `country` is the ISO 3166 alpha-2 code, printed as given."""

    name: str
    line1: str
    line2: str = ""
    city: str
    region: str = ""
    postal_code: str = ""
    country: str
    phone: str | None = None

    def __post_init__(self) -> None:
        for field in ("name", "line1", "city", "country"):
            if not getattr(self, field).strip():
                raise ValueError(f"an address needs a {field}; it is empty")

    @property
    def locality(self) -> str:
        """City, region and postal code on one line: "Jakarta Selatan, DKI Jakarta 12190"."""
        place = ", ".join(part for part in (self.city.strip(), self.region.strip()) if part)
        return f"{place} {self.postal_code.strip()}".strip()

    @property
    def street(self) -> list[str]:
        return [line for line in (self.line1.strip(), self.line2.strip()) if line]
