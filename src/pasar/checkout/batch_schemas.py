"""The body and answer of an order batch (`POST /api/v1/admin/order-batches`)."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field, validate_email

from pasar.checkout.config import MAX_LINES, MAX_QUANTITY
from pasar.checkout.schemas import Text20, Text100, Text200, _country, _optional, _phone
from pasar.platform.types import Id

#: Orders per request: big enough to amortise the round trip, small enough to keep the
#: stock locks short (a batch holds its offers' rows until it commits).
MAX_ORDERS = 1000


@lru_cache(maxsize=4096)
def _email(value: str) -> str:
    """`EmailStr`'s check and normalisation, remembered: channels send the same buyers
    again and again, and email-validator costs more than the rest of an order's body."""
    return validate_email(value)[1]


#: `EmailStr`, memoised (the same errors, the same normalised value, the same schema).
Email = Annotated[
    str, AfterValidator(_email), Field(max_length=320, json_schema_extra={"format": "email"})
]


class BatchAddress(BaseModel):
    name: Text200
    line1: Text200
    line2: Annotated[str | None, Field(max_length=200), AfterValidator(_optional)] = None
    city: Text100
    region: Text100
    postal_code: Text20
    country: Annotated[
        str,
        Field(min_length=2, max_length=2, description="ISO 3166-1 alpha-2."),
        AfterValidator(_country),
    ]


class BatchLine(BaseModel):
    offer_id: Id
    quantity: Annotated[int, Field(ge=1, le=MAX_QUANTITY)] = 1


class BatchDelivery(BaseModel):
    seller_id: Id
    service: Annotated[str, Field(min_length=1, max_length=40, description="e.g. standard.")]


class BatchPayment(BaseModel):
    """`external`: paid at the channel (recorded as received); `cod`: cash on delivery."""

    method: Literal["external", "cod"] = "external"
    reference: Annotated[
        str | None, Field(max_length=100, description="The channel's payment reference.")
    ] = None


class BatchOrder(BaseModel):
    external_id: Annotated[
        str,
        Field(
            min_length=1,
            max_length=100,
            description="The order's id at the channel: placing it twice returns the first.",
        ),
    ]
    email: Email
    phone: Annotated[str, Field(max_length=40), AfterValidator(_phone)]
    address: BatchAddress
    lines: Annotated[list[BatchLine], Field(min_length=1, max_length=MAX_LINES)]
    delivery: Annotated[
        list[BatchDelivery],
        Field(
            max_length=MAX_LINES,
            description="Per seller, the delivery service; sellers left out get the cheapest.",
        ),
    ] = []
    payment: BatchPayment = BatchPayment()
    language: Annotated[str | None, Field(max_length=8)] = None


class OrderBatch(BaseModel):
    channel: Annotated[
        str,
        Field(
            pattern=r"^[a-z0-9][a-z0-9._-]{0,39}$",
            description="Where the orders come from, e.g. shopify-import.",
        ),
    ]
    orders: Annotated[list[BatchOrder], Field(min_length=1, max_length=MAX_ORDERS)]


class BatchResult(BaseModel):
    """One order's outcome, in request order. `duplicate`: placed before (this batch or an
    earlier one) under the same external id; the order is the one placed then."""

    index: int
    external_id: str
    status: Literal["placed", "duplicate", "rejected"]
    order_id: int | None = None
    number: str | None = None
    total_amount: int | None = None
    problem: dict[str, Any] | None = None


class BatchAnswer(BaseModel):
    channel: str
    placed: int
    duplicates: int
    rejected: int
    results: list[BatchResult]
