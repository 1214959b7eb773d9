"""sellers' request and response bodies."""

from __future__ import annotations

from datetime import datetime, time
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field, HttpUrl

from pasar.platform.time import validate_timezone
from pasar.platform.types import Id
from pasar.sellers.domain import SellerAction, SellerStatus

TimeZone = Annotated[str, Field(max_length=64), AfterValidator(validate_timezone)]
Country = Annotated[str, Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")]


class DocumentKind(StrEnum):
    BUSINESS_REGISTRATION = "business_registration"
    TAX_CERTIFICATE = "tax_certificate"
    IDENTITY = "identity"
    BANK_STATEMENT = "bank_statement"
    OTHER = "other"


class DocumentStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class Address(BaseModel):
    line1: str = Field(min_length=1, max_length=200)
    line2: str | None = Field(default=None, max_length=200)
    city: str = Field(min_length=1, max_length=100)
    region: str | None = Field(default=None, max_length=100)
    postal_code: str = Field(min_length=1, max_length=20)
    country: Country


class DocumentCreate(BaseModel):
    kind: DocumentKind
    url: HttpUrl


class DocumentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: DocumentKind
    url: str
    status: DocumentStatus
    review_note: str | None
    uploaded_at: datetime
    reviewed_at: datetime | None


class DocumentReview(BaseModel):
    status: DocumentStatus
    note: str | None = Field(default=None, max_length=2000)


_LOCAL_TIME = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]+)?)?$"


class PolicyUpdate(BaseModel):
    handling_days: int = Field(default=2, ge=0, le=30, description="Business days to ship.")
    ship_from_timezone: TimeZone = "UTC"
    cut_off_time: time = Field(
        default=time(14, 0),
        description="Local time after which orders ship a day later.",
        # A wall-clock time without offset: RFC 3339 `partial-time`, not JSON Schema's
        # `time` (which requires one, so clients would reject "14:00:00").
        json_schema_extra={"format": "partial-time", "pattern": _LOCAL_TIME},
    )
    return_window_days: int = Field(default=30, ge=0, le=365)
    service_email: EmailStr
    service_phone: str | None = Field(default=None, max_length=40)
    service_hours: str | None = Field(default=None, max_length=200)


class PolicyRead(PolicyUpdate):
    model_config = ConfigDict(from_attributes=True)


class OwnerAccount(BaseModel):
    email: EmailStr
    password: str = Field(min_length=8, max_length=256)
    name: str = Field(default="", max_length=200)


class SellerApplication(BaseModel):
    name: str = Field(min_length=2, max_length=200, description="Shop name buyers see.")
    legal_entity: str = Field(min_length=2, max_length=200)
    tax_id: str = Field(min_length=2, max_length=64)
    contact_email: EmailStr
    contact_phone: str = Field(min_length=5, max_length=40)
    address: Address
    documents: list[DocumentCreate] = Field(default_factory=list, max_length=20)
    policies: PolicyUpdate | None = None
    owner: OwnerAccount


class FirstPartySellerCreate(BaseModel):
    name: str = Field(min_length=2, max_length=200)
    legal_entity: str = Field(min_length=2, max_length=200)
    tax_id: str = Field(min_length=2, max_length=64)
    contact_email: EmailStr
    contact_phone: str = Field(min_length=5, max_length=40)
    address: Address
    policies: PolicyUpdate | None = None


class StatusChangeRequest(BaseModel):
    action: SellerAction
    reason: str | None = Field(default=None, max_length=2000)


class SellerPublic(BaseModel):
    """What anyone may see of a sellable seller."""

    id: int
    name: str
    is_first_party: bool
    city: str
    country: str
    policies: PolicyRead | None


class SellerRead(SellerPublic):
    """What the seller's own staff and operators see."""

    legal_entity: str
    tax_id: str
    contact_email: str
    contact_phone: str
    address: Address
    status: SellerStatus
    status_reason: str | None
    created_at: datetime
    approved_at: datetime | None
    documents: list[DocumentRead]


class StatusChangeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    from_status: SellerStatus | None
    to_status: SellerStatus
    action: str
    reason: str | None
    actor_user_id: Id | None
    created_at: datetime
