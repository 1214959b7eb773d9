"""sellers use cases: apply, review, govern, set policies. Each commits its own transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pasar.identity import Principal, Role, add_user
from pasar.platform.errors import InvalidInput
from pasar.platform.outbox import emit
from pasar.platform.pagination import decode_cursor, encode_cursor
from pasar.platform.time import utcnow
from pasar.sellers.domain import (
    SELLABLE,
    SellerAction,
    SellerStatus,
    TransitionRefused,
    is_sellable,
    next_status,
)
from pasar.sellers.errors import DocumentNotFound, SellerNotFound, SellerTransitionRefused
from pasar.sellers.events import SellerApplied, SellerPoliciesUpdated, SellerStatusChanged
from pasar.sellers.models import Seller, SellerDocument, SellerPolicy, SellerStatusChange
from pasar.sellers.schemas import (
    DocumentCreate,
    DocumentReview,
    FirstPartySellerCreate,
    PolicyRead,
    PolicyUpdate,
    SellerApplication,
)


@dataclass(frozen=True)
class SellerView:
    seller: Seller
    policy: SellerPolicy | None
    documents: list[SellerDocument]


def _seller_row(
    body: SellerApplication | FirstPartySellerCreate, status: SellerStatus, first_party: bool
) -> Seller:
    now = utcnow()
    return Seller(
        name=body.name,
        legal_entity=body.legal_entity,
        tax_id=body.tax_id,
        contact_email=str(body.contact_email),
        contact_phone=body.contact_phone,
        address_line1=body.address.line1,
        address_line2=body.address.line2,
        city=body.address.city,
        region=body.address.region,
        postal_code=body.address.postal_code,
        country=body.address.country,
        status=status.value,
        is_first_party=first_party,
        created_at=now,
        updated_at=now,
        approved_at=now if status is SellerStatus.APPROVED else None,
    )


def _policy_row(seller: Seller, policy: PolicyUpdate | None) -> SellerPolicy:
    values = policy or PolicyUpdate(service_email=seller.contact_email)
    return SellerPolicy(seller_id=seller.id, updated_at=utcnow(), **values.model_dump())


def _status_event(
    seller: Seller, previous: str | None, reason: str | None = None
) -> SellerStatusChanged:
    status = SellerStatus(seller.status)
    return SellerStatusChanged(
        seller_id=seller.id,
        seller_name=seller.name,
        status=status.value,
        previous_status=previous,
        sellable=is_sellable(status),
        is_first_party=seller.is_first_party,
        reason=reason,
    )


async def apply(
    session: AsyncSession, *, body: SellerApplication, owner_password_hash: str | None = None
) -> SellerView:
    """A would-be seller applies; their owner account is created with the application.

    `owner_password_hash` serves bulk onboarding (and the demo); see `identity.add_user`.
    """
    seller = _seller_row(body, SellerStatus.APPLIED, first_party=False)
    session.add(seller)
    await session.flush()
    await add_user(
        session,
        email=str(body.owner.email),
        password=body.owner.password,
        name=body.owner.name,
        role=Role.SELLER_STAFF,
        seller_id=seller.id,
        is_owner=True,
        password_hash=owner_password_hash,
    )
    policy = _policy_row(seller, body.policies)
    documents = [_document_row(seller.id, d) for d in body.documents]
    session.add_all([policy, *documents])
    session.add(_history(seller.id, None, SellerStatus.APPLIED, "apply", None, None))
    await emit(
        session,
        SellerApplied(
            seller_id=seller.id, seller_name=seller.name, contact_email=seller.contact_email
        ),
        _status_event(seller, None),
    )
    await session.commit()
    return SellerView(seller, policy, documents)


async def create_first_party(
    session: AsyncSession, *, principal: Principal, body: FirstPartySellerCreate
) -> SellerView:
    """The marketplace itself as a seller: approved at once, flagged first-party."""
    seller = _seller_row(body, SellerStatus.APPROVED, first_party=True)
    session.add(seller)
    await session.flush()
    policy = _policy_row(seller, body.policies)
    session.add(policy)
    session.add(_history(seller.id, None, SellerStatus.APPROVED, "create", None, principal.user_id))
    await emit(session, _status_event(seller, None))
    await session.commit()
    return SellerView(seller, policy, [])


def _document_row(seller_id: int, doc: DocumentCreate) -> SellerDocument:
    return SellerDocument(
        seller_id=seller_id, kind=doc.kind.value, url=str(doc.url), uploaded_at=utcnow()
    )


def _history(
    seller_id: int,
    from_status: SellerStatus | None,
    to_status: SellerStatus,
    action: str,
    reason: str | None,
    actor: int | None,
) -> SellerStatusChange:
    return SellerStatusChange(
        seller_id=seller_id,
        from_status=from_status.value if from_status else None,
        to_status=to_status.value,
        action=action,
        reason=reason,
        actor_user_id=actor,
        created_at=utcnow(),
    )


async def _get(session: AsyncSession, seller_id: int) -> Seller:
    seller = await session.get(Seller, seller_id)
    if seller is None:
        raise SellerNotFound(f"No seller {seller_id}.")
    return seller


async def view(session: AsyncSession, seller_id: int) -> SellerView:
    seller = await _get(session, seller_id)
    policy = await session.get(SellerPolicy, seller_id)
    documents = await session.scalars(
        select(SellerDocument)
        .where(SellerDocument.seller_id == seller_id)
        .order_by(SellerDocument.id)
    )
    return SellerView(seller, policy, list(documents))


async def public_view(session: AsyncSession, seller_id: int) -> SellerView:
    """A seller as the public may see it: only while sellable, otherwise not found."""
    found = await view(session, seller_id)
    if not is_sellable(SellerStatus(found.seller.status)):
        raise SellerNotFound(f"No seller {seller_id}.")
    return found


async def change_status(
    session: AsyncSession,
    *,
    principal: Principal,
    seller_id: int,
    action: SellerAction,
    reason: str | None,
) -> SellerView:
    """Move a seller through its lifecycle; the change, its history and event commit together."""
    seller = await _get(session, seller_id)
    current = SellerStatus(seller.status)
    try:
        target = next_status(current, action, reason)
    except TransitionRefused as refused:
        raise SellerTransitionRefused(str(refused), field="action") from None
    now = utcnow()
    seller.status = target.value
    seller.status_reason = reason
    seller.updated_at = now
    if target is SellerStatus.APPROVED and seller.approved_at is None:
        seller.approved_at = now
    session.add(_history(seller_id, current, target, action.value, reason, principal.user_id))
    await emit(session, _status_event(seller, current.value, reason))
    await session.commit()
    return await view(session, seller_id)


async def list_sellers(
    session: AsyncSession,
    *,
    statuses: Sequence[SellerStatus] | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[SellerView], str | None]:
    after = decode_cursor(cursor, arity=1)
    wanted = [s.value for s in (statuses or sorted(SELLABLE))]
    query = select(Seller).where(Seller.status.in_(wanted)).order_by(Seller.id).limit(limit + 1)
    if after is not None:
        if not isinstance(after[0], int):
            raise InvalidInput("The cursor does not match this listing.", field="cursor")
        query = query.where(Seller.id > after[0])
    sellers = list(await session.scalars(query))
    more = len(sellers) > limit
    sellers = sellers[:limit]
    ids = [s.id for s in sellers]
    policies = {
        p.seller_id: p
        for p in await session.scalars(select(SellerPolicy).where(SellerPolicy.seller_id.in_(ids)))
    }
    views = [SellerView(s, policies.get(s.id), []) for s in sellers]
    return views, encode_cursor([sellers[-1].id]) if more else None


async def update_policies(
    session: AsyncSession, *, seller_id: int, body: PolicyUpdate
) -> SellerPolicy:
    seller = await _get(session, seller_id)
    policy = await session.get(SellerPolicy, seller_id)
    if policy is None:
        policy = _policy_row(seller, body)
        session.add(policy)
    else:
        for key, value in body.model_dump().items():
            setattr(policy, key, value)
        policy.updated_at = utcnow()
    await emit(session, SellerPoliciesUpdated(seller_id=seller_id))
    await session.commit()
    return policy


async def get_policies(session: AsyncSession, seller_id: int) -> PolicyRead:
    """The seller's policies as a plain value (other modules use this for promises)."""
    await _get(session, seller_id)
    policy = await session.get(SellerPolicy, seller_id)
    if policy is None:
        raise SellerNotFound(f"Seller {seller_id} has no policies yet.")
    return PolicyRead.model_validate(policy)


async def add_document(
    session: AsyncSession, *, seller_id: int, body: DocumentCreate
) -> SellerDocument:
    await _get(session, seller_id)
    document = _document_row(seller_id, body)
    session.add(document)
    await session.commit()
    return document


async def review_document(
    session: AsyncSession,
    *,
    principal: Principal,
    seller_id: int,
    document_id: int,
    body: DocumentReview,
) -> SellerDocument:
    document = await session.get(SellerDocument, document_id)
    if document is None or document.seller_id != seller_id:
        raise DocumentNotFound(f"No document {document_id} for seller {seller_id}.")
    document.status = body.status.value
    document.review_note = body.note
    document.reviewed_at = utcnow()
    document.reviewed_by = principal.user_id
    await session.commit()
    return document


async def history(session: AsyncSession, seller_id: int) -> list[SellerStatusChange]:
    await _get(session, seller_id)
    rows = await session.scalars(
        select(SellerStatusChange)
        .where(SellerStatusChange.seller_id == seller_id)
        .order_by(SellerStatusChange.id)
    )
    return list(rows)


async def count_sellers(
    session: AsyncSession, *, statuses: Sequence[SellerStatus] | None = None
) -> int:
    """How many sellers there are (in any of `statuses`, if given)."""
    query = select(func.count()).select_from(Seller)
    if statuses is not None:
        query = query.where(Seller.status.in_([s.value for s in statuses]))
    return int(await session.scalar(query) or 0)
