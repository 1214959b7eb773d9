"""Who is calling, and what that lets them touch. Pure rules; no I/O.

Tenancy in one sentence: operators see everything; a seller's staff and API keys see only
their own seller; everyone else sees public data and their own account.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    BUYER = "buyer"
    SELLER_STAFF = "seller_staff"
    OPERATOR = "operator"
    SUPPORT = "support"


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller: a user (bearer token) or a seller API key."""

    role: Role
    user_id: int | None
    seller_id: int | None = None
    is_owner: bool = False
    api_key_id: int | None = None

    @property
    def is_operator(self) -> bool:
        return self.role is Role.OPERATOR

    @property
    def is_api_key(self) -> bool:
        return self.api_key_id is not None

    def acts_for(self, seller_id: int) -> bool:
        """True if this caller may read and change data of `seller_id`."""
        return self.is_operator or (self.role is Role.SELLER_STAFF and self.seller_id == seller_id)

    def manages(self, seller_id: int) -> bool:
        """True if this caller may manage the seller's staff and keys (owners, operators)."""
        return self.is_operator or (
            self.acts_for(seller_id) and self.is_owner and not self.is_api_key
        )


TOKEN_PREFIX = "pat_"
API_KEY_PREFIX = "psk_"
