"""sellers: accounts, onboarding and due diligence, status governance, policies.

Other modules learn about sellers through the `seller.status_changed` event (see
events.py) or these functions; they never read the sellers tables.
"""

from pasar.sellers.contacts import SellerContact, seller_contacts
from pasar.sellers.domain import (
    NEEDS_REASON,
    SELLABLE,
    SellerAction,
    SellerStatus,
    allowed_actions,
    is_sellable,
)
from pasar.sellers.events import SellerApplied, SellerPoliciesUpdated, SellerStatusChanged
from pasar.sellers.router import router
from pasar.sellers.schemas import (
    Address,
    DocumentCreate,
    FirstPartySellerCreate,
    OwnerAccount,
    PolicyRead,
    PolicyUpdate,
    SellerApplication,
)
from pasar.sellers.service import (
    SellerView,
    apply,
    change_status,
    count_sellers,
    create_first_party,
    get_policies,
    list_sellers,
    public_view,
    update_policies,
)
from pasar.sellers.service import view as seller_view
from pasar.sellers.shipping import ShippingProfile, shipping_profiles

__all__ = [
    "NEEDS_REASON",
    "SELLABLE",
    "Address",
    "DocumentCreate",
    "FirstPartySellerCreate",
    "OwnerAccount",
    "PolicyRead",
    "PolicyUpdate",
    "SellerAction",
    "SellerApplication",
    "SellerApplied",
    "SellerContact",
    "SellerPoliciesUpdated",
    "SellerStatus",
    "SellerStatusChanged",
    "SellerView",
    "ShippingProfile",
    "allowed_actions",
    "apply",
    "change_status",
    "count_sellers",
    "create_first_party",
    "get_policies",
    "is_sellable",
    "list_sellers",
    "public_view",
    "router",
    "seller_contacts",
    "seller_view",
    "shipping_profiles",
    "update_policies",
]
