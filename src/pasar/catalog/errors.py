"""catalog's errors, each with a stable problem code.

NotFound
├── CategoryNotFound      category-not-found
├── ProductNotFound       product-not-found   (also: another seller's product)
└── OfferNotFound         offer-not-found     (also: another seller's offer)
InvalidInput
├── UnknownVariant        unknown-variant
├── CurrencyMismatch      currency-mismatch
├── InvalidGtin           invalid-gtin
├── CategoryTooDeep       category-too-deep
├── MalformedImport       malformed-import    (the file is refused whole)
└── ImportRejected        import-rejected     (all_or_nothing: some rows are invalid)
Conflict
├── SkuTaken              sku-taken
├── GtinTaken             gtin-taken
├── SlugTaken             slug-taken
└── OfferExists           offer-exists
"""

from pasar.platform.errors import Conflict, InvalidInput, NotFound


class CategoryNotFound(NotFound):
    code = "category-not-found"
    title = "Category not found"


class ProductNotFound(NotFound):
    code = "product-not-found"
    title = "Product not found"


class OfferNotFound(NotFound):
    code = "offer-not-found"
    title = "Offer not found"


class UnknownVariant(InvalidInput):
    code = "unknown-variant"
    title = "Unknown variant"


class CurrencyMismatch(InvalidInput):
    code = "currency-mismatch"
    title = "Currency mismatch"


class InvalidGtin(InvalidInput):
    code = "invalid-gtin"
    title = "Invalid GTIN"


class CategoryTooDeep(InvalidInput):
    code = "category-too-deep"
    title = "Category tree too deep"


class MalformedImport(InvalidInput):
    code = "malformed-import"
    title = "Malformed import file"


class ImportRejected(InvalidInput):
    code = "import-rejected"
    title = "Import rejected"


class SkuTaken(Conflict):
    code = "sku-taken"
    title = "SKU already used"


class GtinTaken(Conflict):
    code = "gtin-taken"
    title = "GTIN already used"


class SlugTaken(Conflict):
    code = "slug-taken"
    title = "Slug already used"


class OfferExists(Conflict):
    code = "offer-exists"
    title = "Offer already exists"
