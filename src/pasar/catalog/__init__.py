"""catalog: products, variants, categories, offers and search. Other modules import only this.

Seller and stock facts arrive by event (`SUBSCRIPTIONS`); the catalog never imports
sellers or inventory. `add_*` and `import_offers` flush without committing, so callers
compose them in their own transaction; `create_*` commit.
"""

from pasar.catalog.bulk import (
    BulkOffer,
    BulkProduct,
    BulkVariant,
    LoadedOffer,
    bulk_loading,
    load_catalog,
)
from pasar.catalog.domain import (
    Condition,
    FulfilledBy,
    ImportMode,
    MalformedFile,
    OfferStatus,
    Sort,
    is_valid_gtin,
    parse_csv,
)
from pasar.catalog.errors import (
    CategoryNotFound,
    CurrencyMismatch,
    ImportRejected,
    MalformedImport,
    OfferNotFound,
    ProductNotFound,
    UnknownVariant,
)
from pasar.catalog.events import (
    OfferCreated,
    OfferPriceChanged,
    OfferUpdated,
    ProductCreated,
    ProductUpdated,
)
from pasar.catalog.importer import import_offers
from pasar.catalog.offers import (
    OfferLabel,
    OfferRef,
    create_offer,
    get_offer,
    list_product_offers,
    list_seller_offers,
    offer_labels,
    offer_refs,
    update_offer,
)
from pasar.catalog.projection import SUBSCRIPTIONS, refresh_products
from pasar.catalog.quotes import OfferQuote, quote_offers
from pasar.catalog.router import router
from pasar.catalog.schemas import (
    ImportReport,
    OfferCreate,
    OfferRead,
    OfferUpdate,
    ProductCreate,
    ProductRead,
    ProductUpdate,
    VariantCreate,
)
from pasar.catalog.search import list_products
from pasar.catalog.service import (
    add_category,
    add_products,
    create_category,
    create_product,
    get_product,
    list_categories,
    update_product,
)

__all__ = [
    "SUBSCRIPTIONS",
    "BulkOffer",
    "BulkProduct",
    "BulkVariant",
    "CategoryNotFound",
    "Condition",
    "CurrencyMismatch",
    "FulfilledBy",
    "ImportMode",
    "ImportRejected",
    "ImportReport",
    "LoadedOffer",
    "MalformedFile",
    "MalformedImport",
    "OfferCreate",
    "OfferCreated",
    "OfferLabel",
    "OfferNotFound",
    "OfferPriceChanged",
    "OfferQuote",
    "OfferRead",
    "OfferRef",
    "OfferStatus",
    "OfferUpdate",
    "OfferUpdated",
    "ProductCreate",
    "ProductCreated",
    "ProductNotFound",
    "ProductRead",
    "ProductUpdate",
    "ProductUpdated",
    "Sort",
    "UnknownVariant",
    "VariantCreate",
    "add_category",
    "add_products",
    "bulk_loading",
    "create_category",
    "create_offer",
    "create_product",
    "get_offer",
    "get_product",
    "import_offers",
    "is_valid_gtin",
    "list_categories",
    "list_product_offers",
    "list_products",
    "list_seller_offers",
    "load_catalog",
    "offer_labels",
    "offer_refs",
    "parse_csv",
    "quote_offers",
    "refresh_products",
    "router",
    "update_offer",
    "update_product",
]
