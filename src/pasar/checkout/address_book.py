"""A buyer's address book: delivery addresses kept on the account, to fill in checkout.

Checkout owns the shape of an address, so it owns the book too; a saved address is only
a convenience, never the order's address (the order keeps its own copy). The rules:

- a buyer keeps at most `MAX_ADDRESSES` (more is `AddressBookFull`);
- while a buyer has any address, exactly one is the default: the first one is, making
  another one the default unsets the old one, deleting the default hands it to the newest
  address left;
- an address belongs to one buyer: anyone else's id is `AddressNotFound`, never 403, so
  ids reveal nothing.

Every change locks the buyer's addresses first (PostgreSQL), so two changes to one book
queue; a first address racing another first address meets the one-default index and is
retried once, then seeing the other.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from pasar.checkout.errors import AddressBookFull, AddressNotFound, DefaultAddressNeeded
from pasar.checkout.models import SavedAddress
from pasar.checkout.schemas import SavedAddressCreate, SavedAddressRead, SavedAddressUpdate
from pasar.checkout.views import Contact
from pasar.platform.idempotency import run_idempotent

MAX_ADDRESSES = 20
#: What makes two addresses the same place for the same person (the label apart).
ADDRESS_FIELDS = ("name", "phone", "line1", "line2", "city", "region", "postal_code", "country")

T = TypeVar("T")


def _read(row: SavedAddress) -> SavedAddressRead:
    return SavedAddressRead(
        id=row.id,
        label=row.label,
        name=row.name,
        phone=row.phone,
        line1=row.line1,
        line2=row.line2,
        city=row.city,
        region=row.region,
        postal_code=row.postal_code,
        country=row.country,
        is_default=row.is_default,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _ordered(user_id: int) -> Any:
    return (
        select(SavedAddress)
        .where(SavedAddress.user_id == user_id)
        .order_by(SavedAddress.is_default.desc(), SavedAddress.id)
        .execution_options(populate_existing=True)
    )


async def _book(session: AsyncSession, user_id: int, *, lock: bool = False) -> list[SavedAddress]:
    query = _ordered(user_id)
    if lock:
        query = query.with_for_update()
    return list((await session.scalars(query)).all())


def _find(rows: Sequence[SavedAddress], address_id: int) -> SavedAddress:
    for row in rows:
        if row.id == address_id:
            return row
    raise AddressNotFound(f"You have no saved address {address_id}.", field="address_id")


async def _make_default(
    session: AsyncSession, rows: Sequence[SavedAddress], chosen: SavedAddress
) -> None:
    """Unset the old default before setting the new one: the index allows one at a time."""
    for row in rows:
        if row.is_default and row is not chosen:
            row.is_default = False
    await session.flush()
    chosen.is_default = True
    await session.flush()


async def _once_more_on_race(run: Callable[[], Awaitable[T]], session: AsyncSession) -> T:
    """Run; if a racing change to the same book tripped the one-default index, run again."""
    try:
        return await run()
    except IntegrityError:
        await session.rollback()
        return await run()


async def list_addresses(session: AsyncSession, *, user_id: int) -> list[SavedAddressRead]:
    """The buyer's addresses, the default first, then in the order they were saved."""
    return [_read(row) for row in await _book(session, user_id)]


async def get_address(session: AsyncSession, *, user_id: int, address_id: int) -> SavedAddressRead:
    row = await session.scalar(
        select(SavedAddress)
        .where(SavedAddress.id == address_id, SavedAddress.user_id == user_id)
        .execution_options(populate_existing=True)
    )
    if row is None:
        raise AddressNotFound(f"You have no saved address {address_id}.", field="address_id")
    return _read(row)


async def default_address(session: AsyncSession, *, user_id: int) -> SavedAddressRead | None:
    """What checkout fills in for a signed-in buyer; None when the book is empty."""
    row = await session.scalar(
        select(SavedAddress).where(SavedAddress.user_id == user_id, SavedAddress.is_default)
    )
    return _read(row) if row is not None else None


async def add_address(
    session: AsyncSession,
    *,
    user_id: int,
    data: SavedAddressCreate,
    now: datetime,
    idempotency_key: str | None = None,
) -> SavedAddressRead:
    """Keep a new address; the buyer's first one, or one asked to be, is the default."""

    async def work() -> dict[str, Any]:
        rows = await _book(session, user_id, lock=True)
        if len(rows) >= MAX_ADDRESSES:
            raise AddressBookFull(
                f"You can keep at most {MAX_ADDRESSES} addresses; delete one first.",
                limit=MAX_ADDRESSES,
            )
        row = SavedAddress(
            user_id=user_id,
            **data.model_dump(exclude={"is_default"}),
            is_default=False,
            created_at=now,
            updated_at=now,
        )
        session.add(row)
        await session.flush()
        if data.is_default or not rows:
            await _make_default(session, rows, row)
        return {"id": row.id}

    async def run() -> dict[str, Any]:
        return await run_idempotent(
            session,
            scope=f"checkout.address:{user_id}",
            key=idempotency_key,
            request=data.model_dump(mode="json"),
            work=work,
        )

    result = await _once_more_on_race(run, session)
    return await get_address(session, user_id=user_id, address_id=int(result["id"]))


async def update_address(
    session: AsyncSession,
    *,
    user_id: int,
    address_id: int,
    changes: SavedAddressUpdate,
    now: datetime,
) -> SavedAddressRead:
    """Change the fields sent; `is_default: true` makes it the default."""
    rows = await _book(session, user_id, lock=True)
    row = _find(rows, address_id)
    sent = changes.model_fields_set
    if "is_default" in sent and changes.is_default is False and row.is_default:
        raise DefaultAddressNeeded(
            "This is your default address; make another address the default instead.",
            field="is_default",
        )
    for name in sent - {"is_default"}:
        setattr(row, name, getattr(changes, name))
    row.updated_at = now
    if changes.is_default:
        await _make_default(session, rows, row)
    await session.commit()
    return _read(row)


async def make_default(
    session: AsyncSession, *, user_id: int, address_id: int, now: datetime
) -> SavedAddressRead:
    """The address checkout fills in from now on; the old default stays in the book."""
    return await update_address(
        session,
        user_id=user_id,
        address_id=address_id,
        changes=SavedAddressUpdate(is_default=True),
        now=now,
    )


async def delete_address(session: AsyncSession, *, user_id: int, address_id: int) -> None:
    """Forget an address; if it was the default, the newest address left becomes it."""
    rows = await _book(session, user_id, lock=True)
    row = _find(rows, address_id)
    await session.delete(row)
    await session.flush()
    left = [r for r in rows if r is not row]
    if row.is_default and left:
        await _make_default(session, left, max(left, key=lambda r: r.id))
    await session.commit()


async def save_contact(
    session: AsyncSession,
    *,
    user_id: int,
    contact: Contact,
    now: datetime,
    label: str | None = None,
) -> SavedAddressRead:
    """Keep the address a buyer checks out with ("save this address to my account").

    The same address already in the book is answered as it is, not saved twice.
    """
    wanted = {name: getattr(contact, name) for name in ADDRESS_FIELDS}
    for row in await _book(session, user_id):
        if all(getattr(row, name) == value for name, value in wanted.items()):
            return _read(row)
    data = SavedAddressCreate.model_validate({**wanted, "label": label})
    return await add_address(session, user_id=user_id, data=data, now=now)
