"""sellers' HTTP layer: applications, governance by operators, policies and documents."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, status

from pasar.identity import (
    OperatorPrincipal,
    OptionalPrincipal,
    Principal,
    SellerScoped,
)
from pasar.platform.db import Session
from pasar.platform.pagination import Cursor, Limit, Page
from pasar.platform.routing import GuardedRouter
from pasar.platform.types import Id
from pasar.sellers import service
from pasar.sellers.domain import SellerStatus
from pasar.sellers.schemas import (
    Address,
    DocumentCreate,
    DocumentRead,
    DocumentReview,
    FirstPartySellerCreate,
    PolicyRead,
    PolicyUpdate,
    SellerApplication,
    SellerPublic,
    SellerRead,
    StatusChangeRead,
    StatusChangeRequest,
)

router = GuardedRouter(prefix="/api/v1", tags=["sellers"])


def _public(found: service.SellerView) -> SellerPublic:
    s = found.seller
    return SellerPublic(
        id=s.id,
        name=s.name,
        is_first_party=s.is_first_party,
        city=s.city,
        country=s.country,
        policies=PolicyRead.model_validate(found.policy) if found.policy else None,
    )


def _full(found: service.SellerView) -> SellerRead:
    s = found.seller
    return SellerRead(
        **_public(found).model_dump(),
        legal_entity=s.legal_entity,
        tax_id=s.tax_id,
        contact_email=s.contact_email,
        contact_phone=s.contact_phone,
        address=Address(
            line1=s.address_line1,
            line2=s.address_line2,
            city=s.city,
            region=s.region,
            postal_code=s.postal_code,
            country=s.country,
        ),
        status=SellerStatus(s.status),
        status_reason=s.status_reason,
        created_at=s.created_at,
        approved_at=s.approved_at,
        documents=[DocumentRead.model_validate(d) for d in found.documents],
    )


@router.post("/seller-applications", status_code=status.HTTP_201_CREATED)
async def apply(body: SellerApplication, session: Session) -> SellerRead:
    """Apply to sell: company, contact, address, due-diligence documents and an owner
    account. Public. The seller starts `applied` and sells only once an operator approves."""
    return _full(await service.apply(session, body=body))


@router.post("/sellers", status_code=status.HTTP_201_CREATED)
async def create_first_party(
    body: FirstPartySellerCreate, principal: OperatorPrincipal, session: Session
) -> SellerRead:
    """Create the marketplace's own (first-party) seller, approved at once. Operators only."""
    return _full(await service.create_first_party(session, principal=principal, body=body))


@router.get("/sellers")
async def list_sellers(
    session: Session,
    principal: OptionalPrincipal,
    limit: Limit = 20,
    cursor: Cursor = None,
    status_: Annotated[
        list[SellerStatus] | None,
        Query(alias="status", description="Operators only; the public sees sellable sellers."),
    ] = None,
) -> Page[SellerPublic] | Page[SellerRead]:
    """Sellers. Public: sellable sellers only. Operators: any status, with full records."""
    is_operator = principal is not None and principal.is_operator
    views, next_cursor = await service.list_sellers(
        session, statuses=status_ if is_operator else None, limit=limit, cursor=cursor
    )
    if is_operator:
        return Page[SellerRead](items=[_full(v) for v in views], next_cursor=next_cursor)
    return Page[SellerPublic](items=[_public(v) for v in views], next_cursor=next_cursor)


def _sees_private(principal: Principal | None, seller_id: Id) -> bool:
    return principal is not None and principal.acts_for(seller_id)


@router.get("/sellers/{seller_id}")
async def get_seller(
    seller_id: Id, session: Session, principal: OptionalPrincipal
) -> SellerRead | SellerPublic:
    """A seller. Its own staff and operators get the full record; the public sees a
    sellable seller's profile (policies, first-party flag) and nothing of others."""
    if _sees_private(principal, seller_id):
        return _full(await service.view(session, seller_id))
    return _public(await service.public_view(session, seller_id))


@router.post("/sellers/{seller_id}/status")
async def change_status(
    seller_id: Id, body: StatusChangeRequest, principal: OperatorPrincipal, session: Session
) -> SellerRead:
    """Approve, reject, warn, clear a warning, suspend, reinstate or remove. Operators only.
    Suspension hides all the seller's offers at once."""
    found = await service.change_status(
        session, principal=principal, seller_id=seller_id, action=body.action, reason=body.reason
    )
    return _full(found)


@router.get("/sellers/{seller_id}/history")
async def history(
    seller_id: Id, principal: SellerScoped, session: Session
) -> list[StatusChangeRead]:
    """The seller's status history. Its own staff and keys, or operators."""
    return [StatusChangeRead.model_validate(h) for h in await service.history(session, seller_id)]


@router.get("/sellers/{seller_id}/policies")
async def get_policies(seller_id: Id, session: Session, principal: OptionalPrincipal) -> PolicyRead:
    """Handling time, cut-off, return window and service contact. Public for sellable
    sellers; the seller's own staff and operators see them in any status."""
    if not _sees_private(principal, seller_id):
        await service.public_view(session, seller_id)
    return await service.get_policies(session, seller_id)


@router.put("/sellers/{seller_id}/policies")
async def update_policies(
    seller_id: Id, body: PolicyUpdate, principal: SellerScoped, session: Session
) -> PolicyRead:
    """Replace the seller's policies. Its own staff and keys, or operators."""
    return PolicyRead.model_validate(
        await service.update_policies(session, seller_id=seller_id, body=body)
    )


@router.get("/sellers/{seller_id}/documents")
async def list_documents(
    seller_id: Id, principal: SellerScoped, session: Session
) -> list[DocumentRead]:
    """Due-diligence documents. The seller's own staff and keys, or operators."""
    found = await service.view(session, seller_id)
    return [DocumentRead.model_validate(d) for d in found.documents]


@router.post("/sellers/{seller_id}/documents", status_code=status.HTTP_201_CREATED)
async def add_document(
    seller_id: Id, body: DocumentCreate, principal: SellerScoped, session: Session
) -> DocumentRead:
    """Add a due-diligence document (by URL). The seller's own staff and keys, or operators."""
    return DocumentRead.model_validate(
        await service.add_document(session, seller_id=seller_id, body=body)
    )


@router.post("/sellers/{seller_id}/documents/{document_id}/review")
async def review_document(
    seller_id: Id,
    document_id: Id,
    body: DocumentReview,
    principal: OperatorPrincipal,
    session: Session,
) -> DocumentRead:
    """Accept or reject a document, with a note. Operators only."""
    document = await service.review_document(
        session, principal=principal, seller_id=seller_id, document_id=document_id, body=body
    )
    return DocumentRead.model_validate(document)
