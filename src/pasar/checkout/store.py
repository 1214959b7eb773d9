"""Reading carts: by token (with the ownership rule), by owner, and their lines.

The one access rule lives here: a guest cart (no user) is reachable by anyone holding its
token; a user's cart only with that user's credentials. Anyone else gets "not found", so
a token that leaks from a signed-in session is worth nothing without the account.
"""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from pasar.checkout.errors import CartClosed, CartNotFound
from pasar.checkout.models import OPEN, Cart, CartLine
from pasar.identity import Principal

#: Built once: every cart request runs these (building one costs more than running it).
CART = (
    select(Cart).where(Cart.token == bindparam("token")).execution_options(populate_existing=True)
)
CART_LOCKED = CART.with_for_update()
LINES = (
    select(CartLine)
    .where(CartLine.cart_id == bindparam("cart_id"))
    .order_by(CartLine.id)
    .execution_options(populate_existing=True)
)


def user_of(principal: Principal | None) -> int | None:
    """The account a cart would belong to; API keys act for sellers, not shoppers."""
    return principal.user_id if principal is not None else None


async def load_cart(
    session: AsyncSession, token: str, principal: Principal | None, *, lock: bool = False
) -> Cart:
    """The cart with this token, or CartNotFound if absent or someone else's.

    `lock` takes the row lock (PostgreSQL) that serialises every change to one cart.
    """
    cart = await session.scalar(CART_LOCKED if lock else CART, {"token": token})
    if cart is None or (cart.user_id is not None and cart.user_id != user_of(principal)):
        raise CartNotFound("There is no cart with this token.", field="token")
    return cart


async def open_cart_of(session: AsyncSession, user_id: int, *, lock: bool = False) -> Cart | None:
    query = (
        select(Cart)
        .where(Cart.user_id == user_id, Cart.status == OPEN)
        .execution_options(populate_existing=True)
    )
    if lock:
        query = query.with_for_update()
    return await session.scalar(query)


async def load_lines(session: AsyncSession, cart_id: int) -> list[CartLine]:
    return list((await session.scalars(LINES, {"cart_id": cart_id})).all())


def ensure_open(cart: Cart) -> None:
    if cart.status != OPEN:
        raise CartClosed(
            f"This cart is {cart.status} and can no longer change.", cart_status=cart.status
        )
