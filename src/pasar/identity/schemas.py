"""identity's request and response bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from pasar.identity.domain import Role
from pasar.platform.types import Id

Password = Field(min_length=8, max_length=256)


class RegisterRequest(BaseModel):
    email: EmailStr
    password: str = Password
    name: str = Field(default="", max_length=200)
    phone: str | None = Field(default=None, max_length=40)


class UserCreate(RegisterRequest):
    role: Literal[Role.OPERATOR, Role.SUPPORT, Role.BUYER]


class TokenRequest(BaseModel):
    email: EmailStr
    password: str = Field(min_length=1, max_length=256)


class TokenResponse(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: datetime


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    name: str
    phone: str | None
    role: Role
    seller_id: Id | None
    is_owner: bool
    is_active: bool
    created_at: datetime


class MeRead(BaseModel):
    role: Role
    user_id: Id | None
    seller_id: Id | None
    is_owner: bool
    api_key_id: Id | None
    user: UserRead | None = None


class StaffCreate(BaseModel):
    email: EmailStr
    password: str = Password
    name: str = Field(default="", max_length=200)
    is_owner: bool = False


class ApiKeyCreate(BaseModel):
    name: str = Field(min_length=1, max_length=100)


class ApiKeyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    seller_id: Id
    name: str
    prefix: str
    created_at: datetime
    revoked_at: datetime | None


class ApiKeyIssued(ApiKeyRead):
    key: str = Field(description="The secret key. Shown only now: store it safely.")
