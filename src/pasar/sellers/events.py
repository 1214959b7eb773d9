"""Facts the sellers module publishes. Consumers select them by `name`."""

from __future__ import annotations

from dataclasses import dataclass

from pasar.platform.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class SellerApplied(DomainEvent):
    name = "seller.applied"
    seller_id: int
    seller_name: str
    contact_email: str


@dataclass(frozen=True, kw_only=True)
class SellerStatusChanged(DomainEvent):
    """Every status change, including the first (applied). Drives offer visibility."""

    name = "seller.status_changed"
    seller_id: int
    seller_name: str
    status: str
    previous_status: str | None
    sellable: bool
    is_first_party: bool
    reason: str | None = None

    def payload(self) -> dict[str, object]:
        data = super().payload()
        data["name"] = data.pop("seller_name")
        return data


@dataclass(frozen=True, kw_only=True)
class SellerPoliciesUpdated(DomainEvent):
    name = "seller.policies_updated"
    seller_id: int
