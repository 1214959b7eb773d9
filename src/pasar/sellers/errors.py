"""sellers' errors, each with a stable problem code."""

from pasar.platform.errors import IllegalTransition, NotFound


class SellerNotFound(NotFound):
    code = "seller-not-found"
    title = "Seller not found"


class DocumentNotFound(NotFound):
    code = "document-not-found"
    title = "Document not found"


class SellerTransitionRefused(IllegalTransition):
    code = "seller-transition-refused"
    title = "Seller status change refused"
