"""checkout's request and response bodies."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, EmailStr, Field, field_validator

from pasar.checkout.countries import COUNTRIES
from pasar.checkout.domain import LineIssue
from pasar.checkout.views import Contact, DeliveryOption, PricedCart, PricedGroup, PricedLine
from pasar.fulfillment import ServiceLevel
from pasar.platform.types import MAX_INT32, Id

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_PHONE_PUNCTUATION = re.compile(r"[\s().-]")
_PHONE = re.compile(r"^\+?[1-9]\d{6,14}$")


def _plain(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("control characters are not allowed")
    if not value.strip():
        raise ValueError("must not be blank")
    return value.strip()


def _optional(value: str | None) -> str | None:
    return _plain(value) if value and value.strip() else None


def _phone(value: str) -> str:
    digits = _PHONE_PUNCTUATION.sub("", value)
    if not _PHONE.match(digits):
        raise ValueError("a phone number is 7 to 15 digits, optionally after a + (E.164)")
    return digits


def _country(value: str) -> str:
    code = value.strip().upper()
    if code not in COUNTRIES:
        raise ValueError("not an ISO 3166-1 alpha-2 country code")
    return code


Text200 = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_plain)]
Text100 = Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_plain)]
Text20 = Annotated[str, Field(min_length=1, max_length=20), AfterValidator(_plain)]


Quantity = Annotated[int, Field(ge=1, le=MAX_INT32, description="Units; 1 to the cart maximum.")]


class LineAdd(BaseModel):
    offer_id: Id
    quantity: Quantity = 1


class LineUpdate(BaseModel):
    quantity: Quantity


class AddressUpdate(BaseModel):
    """The buyer's contact and delivery address: all a guest needs to check out."""

    email: Annotated[EmailStr, Field(max_length=320)]
    phone: Annotated[str, Field(max_length=40), AfterValidator(_phone)]
    name: Text200
    line1: Text200
    line2: Annotated[str | None, Field(max_length=200), AfterValidator(_optional)] = None
    city: Text100
    region: Text100
    postal_code: Text20
    country: Annotated[
        str,
        Field(min_length=2, max_length=2, description="ISO 3166-1 alpha-2, e.g. ID."),
        AfterValidator(_country),
    ]
    language: Literal["en", "id"] | None = Field(
        default=None,
        description="The language of the order's emails and text messages "
        "(English or Indonesian); omitted: the marketplace's default.",
    )
    sms_updates: bool = Field(
        default=False,
        description="Also send text messages to `phone` when the order ships, is out for "
        "delivery, is delivered or runs late.",
    )

    def contact(self) -> Contact:
        return Contact(
            email=str(self.email),
            phone=self.phone,
            name=self.name,
            line1=self.line1,
            line2=self.line2,
            city=self.city,
            region=self.region,
            postal_code=self.postal_code,
            country=self.country,
            language=self.language,
            sms_updates=self.sms_updates,
        )


Phone = Annotated[str, Field(max_length=40), AfterValidator(_phone)]
Country = Annotated[
    str,
    Field(min_length=2, max_length=2, description="ISO 3166-1 alpha-2, e.g. ID."),
    AfterValidator(_country),
]
Line2 = Annotated[str | None, Field(max_length=200), AfterValidator(_optional)]
Label = Annotated[
    str | None,
    Field(max_length=50, description='What the buyer calls it, e.g. "Home" or "Office".'),
    AfterValidator(_optional),
]
#: The fields a saved address cannot be without (PATCH may leave them out, not null them).
SAVED_REQUIRED = ("name", "phone", "line1", "city", "region", "postal_code", "country")


class SavedAddressCreate(BaseModel):
    """A delivery address kept on the buyer's account, checked exactly as checkout checks
    one (the account has the email, so there is none here)."""

    label: Label = None
    name: Text200
    phone: Phone
    line1: Text200
    line2: Line2 = None
    city: Text100
    region: Text100
    postal_code: Text20
    country: Country
    is_default: bool = Field(
        default=False,
        description="Make it the default (the previous default stops being one). "
        "A buyer's first address is the default anyway.",
    )


class SavedAddressUpdate(BaseModel):
    """Only the fields sent change; `label` and `line2` may be null to clear them."""

    label: Label = None
    name: Text200 | None = None
    phone: Phone | None = None
    line1: Text200 | None = None
    line2: Line2 = None
    city: Text100 | None = None
    region: Text100 | None = None
    postal_code: Text20 | None = None
    country: Country | None = None
    is_default: bool | None = Field(
        default=None,
        description="true makes it the default; false is refused on the default address "
        "(make another one the default instead).",
    )

    @field_validator(*SAVED_REQUIRED, "is_default")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("may be left out, but not null")
        return value


class SavedAddressRead(BaseModel):
    id: int
    label: str | None
    name: str
    phone: str
    line1: str
    line2: str | None
    city: str
    region: str
    postal_code: str
    country: str
    is_default: bool
    created_at: datetime
    updated_at: datetime


class DeliveryChoice(BaseModel):
    seller_id: Id
    service: Annotated[
        ServiceLevel,
        Field(description="The option's `service`: standard, expedited or same_day."),
    ]


class DeliveryChoices(BaseModel):
    choices: list[DeliveryChoice] = Field(min_length=1, max_length=100)


class IssueRead(BaseModel):
    code: str
    detail: str
    available: int | None = None
    old_price: int | None = None
    new_price: int | None = None

    @classmethod
    def of(cls, issue: LineIssue) -> IssueRead:
        return cls(
            code=issue.code,
            detail=issue.detail,
            available=issue.available,
            old_price=issue.old_price,
            new_price=issue.new_price,
        )


class LineRead(BaseModel):
    id: int
    offer_id: int
    product_id: int
    variant_id: int
    title: str
    sku: str
    image_url: str | None
    condition: str
    fulfilled_by: str
    quantity: int
    unit_price: int
    seen_price: int
    line_total: int
    issues: list[IssueRead]

    @classmethod
    def of(cls, line: PricedLine) -> LineRead:
        return cls(
            id=line.line_id,
            offer_id=line.offer_id,
            product_id=line.product_id,
            variant_id=line.variant_id,
            title=line.title,
            sku=line.sku,
            image_url=line.image_url,
            condition=line.condition,
            fulfilled_by=line.fulfilled_by,
            quantity=line.quantity,
            unit_price=line.unit_price,
            seen_price=line.seen_price,
            line_total=line.line_total,
            issues=[IssueRead.of(i) for i in line.issues],
        )


class OptionRead(BaseModel):
    """One way to deliver a seller's parcel; `service` is what the buyer chooses."""

    service: str
    name: str
    price: int
    currency: str
    transit_days: int
    ship_by: date
    promised_date: date
    carrier: str = Field(description="Code of the carrier that would carry it.")
    carrier_name: str
    tags: list[str] = Field(description="cheapest, fastest and/or best_value.")

    @classmethod
    def of(cls, option: DeliveryOption) -> OptionRead:
        return cls(
            service=option.service,
            name=option.name,
            price=option.price,
            currency=option.currency,
            transit_days=option.transit_days,
            ship_by=option.ship_by,
            promised_date=option.promised_date,
            carrier=option.carrier,
            carrier_name=option.carrier_name,
            tags=list(option.tags),
        )


class SellerRef(BaseModel):
    id: int
    name: str


class GroupRead(BaseModel):
    """One seller's parcel: "sold by" the seller, each line says who fulfils it."""

    seller: SellerRef
    lines: list[LineRead]
    items_total: int
    options: list[OptionRead]
    chosen: OptionRead | None
    shipping: int
    issues: list[str]

    @classmethod
    def of(cls, group: PricedGroup) -> GroupRead:
        return cls(
            seller=SellerRef(id=group.seller_id, name=group.seller_name),
            lines=[LineRead.of(line) for line in group.lines],
            items_total=group.items_total,
            options=[OptionRead.of(o) for o in group.options],
            chosen=OptionRead.of(group.chosen) if group.chosen else None,
            shipping=group.shipping,
            issues=list(group.issues),
        )


class ContactRead(BaseModel):
    email: str
    phone: str
    name: str
    line1: str
    line2: str | None
    city: str
    region: str
    postal_code: str
    country: str
    language: str | None
    sms_updates: bool


class CartRead(BaseModel):
    """The priced cart: re-validated against the catalog, sellers and stock on every read."""

    id: int
    token: str
    status: str
    currency: str
    contact: ContactRead | None
    groups: list[GroupRead]
    items_total: int
    shipping_total: int
    grand_total: int
    ready: bool
    blockers: list[str]
    order_id: int | None

    @classmethod
    def of(cls, cart: PricedCart) -> CartRead:
        contact = cart.contact
        return cls(
            id=cart.cart_id,
            token=cart.token,
            status=cart.status,
            currency=cart.currency,
            contact=ContactRead(**{f: getattr(contact, f) for f in ContactRead.model_fields})
            if contact
            else None,
            groups=[GroupRead.of(g) for g in cart.groups],
            items_total=cart.items_total,
            shipping_total=cart.shipping_total,
            grand_total=cart.grand_total,
            ready=cart.ready,
            blockers=list(cart.blockers),
            order_id=cart.order_id,
        )
