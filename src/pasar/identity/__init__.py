"""identity: users, roles, tokens and seller API keys. Other modules import only this."""

from pasar.identity.deps import (
    CurrentPrincipal,
    OperatorPrincipal,
    OptionalPrincipal,
    SellerPrincipal,
    SellerScoped,
    StaffPrincipal,
    ensure_acts_for,
    require_roles,
)
from pasar.identity.domain import Principal, Role
from pasar.identity.errors import EmailTaken, InvalidCredentials
from pasar.identity.guest_access import guest_access_token, verify_guest_access
from pasar.identity.router import router
from pasar.identity.secrets import hash_password
from pasar.identity.service import (
    IssuedApiKey,
    add_user,
    create_api_key,
    get_user,
    list_api_keys,
    login,
    resolve,
    revoke_api_key,
    revoke_token,
)

__all__ = [
    "CurrentPrincipal",
    "EmailTaken",
    "InvalidCredentials",
    "IssuedApiKey",
    "OperatorPrincipal",
    "OptionalPrincipal",
    "Principal",
    "Role",
    "SellerPrincipal",
    "SellerScoped",
    "StaffPrincipal",
    "add_user",
    "create_api_key",
    "ensure_acts_for",
    "get_user",
    "guest_access_token",
    "hash_password",
    "list_api_keys",
    "login",
    "require_roles",
    "resolve",
    "revoke_api_key",
    "revoke_token",
    "router",
    "verify_guest_access",
]
