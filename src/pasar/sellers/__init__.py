"""sellers: accounts, onboarding and due diligence, status governance, policies.

Other modules learn about sellers through the `seller.status_changed` event (see
events.py) or these functions; they never read the sellers tables.
"""

from pasar.sellers.domain import SELLABLE, SellerAction, SellerStatus, is_sellable
from pasar.sellers.events import SellerApplied, SellerPoliciesUpdated, SellerStatusChanged
from pasar.sellers.router import router
from pasar.sellers.schemas import PolicyRead
from pasar.sellers.service import get_policies, public_view

__all__ = [
    "SELLABLE",
    "PolicyRead",
    "SellerAction",
    "SellerApplied",
    "SellerPoliciesUpdated",
    "SellerStatus",
    "SellerStatusChanged",
    "get_policies",
    "is_sellable",
    "public_view",
    "router",
]
