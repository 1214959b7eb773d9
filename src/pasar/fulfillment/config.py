"""What fulfilment takes from the settings, as one immutable value the services receive."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pasar.fulfillment.carriers import Carriers, load_carriers
from pasar.platform.settings import Settings


@dataclass(frozen=True)
class FulfillmentConfig:
    carriers: Carriers
    currency: str
    public_url: str = "http://127.0.0.1:8000"
    holidays: frozenset[date] = frozenset()
    silence_hours: int = 48
    sandbox_speedup: float = 1.0
    marketplace_name: str = "Pasar"

    @classmethod
    def from_settings(cls, settings: Settings) -> FulfillmentConfig:
        return cls(
            carriers=load_carriers(settings.carriers_file),
            currency=settings.currency,
            public_url=settings.public_address,
            holidays=frozenset(settings.holidays),
            silence_hours=settings.tracking_silence_hours,
            sandbox_speedup=settings.sandbox_carrier_speedup,
        )

    def tracking_url(self, tracking_number: str) -> str:
        return f"{self.public_url}/track/{tracking_number}"
