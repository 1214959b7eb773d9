"""Tracking over HTTP: carriers' signed webhooks in; the public tracking API and page out.

Anyone holding a tracking number may follow its parcel — the number is the bearer secret,
as on every carrier's site, so numbers are random (`carriers.new_tracking_number`),
lookups of unknown numbers are rate-limited per client, and what is shown stops at the
city: no buyer email, phone or street, the recipient's first name only.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

import jinja2
import orjson
from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from pasar import orders
from pasar.fulfillment.deps import Config, Now
from pasar.fulfillment.errors import CarrierNotFound, ShipmentNotFound
from pasar.fulfillment.tracking import (
    OrderTracking,
    PublicTracking,
    order_tracking,
    public_tracking,
    record_tracking,
)
from pasar.identity import OptionalPrincipal
from pasar.platform.bodies import read_body
from pasar.platform.db import Session
from pasar.platform.errors import InvalidInput
from pasar.platform.ratelimit import RateLimiter
from pasar.platform.signing import HEADER, derive_key, verify

router = APIRouter(tags=["tracking"])

#: Largest webhook body read (a carrier's batch of up to 1,000 events fits easily).
MAX_BODY_BYTES = 2_000_000

TrackingNumber = Annotated[
    str,
    PathParam(
        min_length=4,
        max_length=100,
        pattern=r"^[A-Za-z0-9\-]+$",
        description="The parcel's tracking number, as on its label.",
    ),
]
CarrierCode = Annotated[
    str,
    PathParam(max_length=40, description="The carrier's code in Pasar, e.g. `pasar-post`."),
]
Access = Annotated[
    str | None, Query(max_length=64, description="The guest access token from the order link.")
]


def carrier_purpose(carrier_code: str) -> str:
    """The purpose a carrier's webhook key is derived for (`derive_key(secret, purpose)`)."""
    return f"carrier:{carrier_code}"


class TrackingReceipt(BaseModel):
    accepted: int = Field(description="New events recorded.")
    duplicates: int = Field(description="Events already recorded (a retry): ignored.")
    unknown_tracking_numbers: list[str] = Field(
        description="Numbers that are not this carrier's parcels in Pasar: ignored."
    )


WEBHOOK_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": (
            "The carrier's own JSON. Posts and the sandbox send the common events shape "
            "shown; couriers send theirs. An event may carry `expected_date` (ISO date), "
            "the carrier's delivery estimate."
        ),
        "content": {
            "application/json": {
                "schema": {"type": "object"},
                "example": {
                    "events": [
                        {
                            "tracking_number": "PP123456789012",
                            "event_id": "PP123456789012-05",
                            "code": "DLV",
                            "description": "Delivered",
                            "location": "Bandung",
                            "occurred_at": "2026-11-24T03:00:00Z",
                            "proof": {"where_left": "locked_mailbox", "recipient_name": "Budi"},
                        }
                    ]
                },
            }
        },
    }
}


@router.post(
    "/api/v1/carriers/{carrier_code}/tracking-events",
    response_model=TrackingReceipt,
    openapi_extra=WEBHOOK_BODY,
    responses={401: {"description": "Missing, stale or wrong `Pasar-Signature`."}},
)
async def carrier_tracking_events(
    carrier_code: CarrierCode, request: Request, session: Session, config: Config, now: Now
) -> TrackingReceipt:
    """A carrier reports tracking events (scans, delivery with proof, returns).

    Signed like every Pasar webhook: `Pasar-Signature: t=<unix>,v1=<hex HMAC-SHA256 of
    "<t>.<raw body>">` under `derive_key(marketplace secret, "carrier:<carrier_code>")`;
    unsigned, tampered and replayed (older than five minutes) posts get 401. Posting the
    same events again is harmless: they are counted as duplicates and change nothing.
    """
    carrier = config.carriers.get(carrier_code)
    if carrier is None:
        raise CarrierNotFound(f"No carrier {carrier_code!r}.", field="carrier_code")
    body = await read_body(request, limit=MAX_BODY_BYTES)
    secret = str(request.app.state.settings.secret)
    verify(derive_key(secret, carrier_purpose(carrier_code)), body, request.headers.get(HEADER))
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise InvalidInput(f"The body is not JSON: {exc}.", field="body") from None
    updates = carrier.parse_webhook(payload)
    result = await record_tracking(
        session,
        updates,
        now=now,
        config=config,
        source=carrier_purpose(carrier_code),
        carrier=carrier_code,
    )
    await session.commit()
    return TrackingReceipt(
        accepted=result.accepted,
        duplicates=result.duplicates,
        unknown_tracking_numbers=list(result.unknown),
    )


async def _guard_guessing(request: Request) -> None:
    """Refuse clients that have looked up too many unknown numbers lately (429)."""
    limiter: RateLimiter = request.app.state.lookup_limiter
    client = request.client.host if request.client else "unknown"
    if not await limiter.limiter.test(limiter.item, "tracking-miss", client):
        await limiter.hit("tracking-miss", client)  # raises RateLimited with Retry-After


async def _count_miss(request: Request) -> None:
    limiter: RateLimiter = request.app.state.lookup_limiter
    client = request.client.host if request.client else "unknown"
    await limiter.hit("tracking-miss", client)


async def _lookup(
    request: Request, session: Session, tracking_number: str, config: Config, now: Now
) -> PublicTracking:
    await _guard_guessing(request)
    try:
        return await public_tracking(session, tracking_number, config=config, now=now)
    except ShipmentNotFound:
        await _count_miss(request)
        raise


@router.get(
    "/api/v1/tracking/{tracking_number}",
    response_model=PublicTracking,
    responses={404: {"description": "No parcel has this number."}},
)
async def track_parcel(
    tracking_number: TrackingNumber, request: Request, session: Session, config: Config, now: Now
) -> PublicTracking:
    """A parcel's status and timeline (newest first), by its tracking number. Public.

    Shows the carrier, the promised and expected dates, whether it is on time, a delay
    notice when flagged, and once delivered the proof (where it was left, the recipient's
    first name, a photo). Places stop at the city; buyer contact details never appear.
    Too many lookups of unknown numbers from one client are refused with 429.
    """
    return await _lookup(request, session, tracking_number, config, now)


@router.get("/api/v1/orders/{number}/tracking", response_model=OrderTracking)
async def track_order(
    number: Annotated[str, PathParam(max_length=20, description="The order number.")],
    request: Request,
    session: Session,
    principal: OptionalPrincipal,
    config: Config,
    now: Now,
    access: Access = None,
) -> OrderTracking:
    """Every parcel of an order with its tracking: its buyer's account, or its link.

    Each parcel also lists the seller order it belongs to and what is in it.
    """
    order, _ = await orders.buyer_order(
        session,
        number,
        principal=principal,
        access=access,
        secret=str(request.app.state.settings.secret),
    )
    return await order_tracking(
        session, order_id=order.id, number=order.number, config=config, now=now
    )


# --- the public page (server-rendered, no JavaScript) -----------------------------------


@lru_cache(maxsize=1)
def templates() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


def _page(name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    html = templates().get_template(name).render(**context)
    return HTMLResponse(
        html,
        status_code=status_code,
        headers={
            "Cache-Control": "no-store",
            "Referrer-Policy": "no-referrer",
            "X-Robots-Tag": "noindex",
        },
    )


@router.get("/track", include_in_schema=False)
async def track_form(
    number: Annotated[str | None, Query(max_length=100)] = None,
) -> Response:
    """The lookup form; with `?number=` it sends the browser to that parcel's page."""
    cleaned = "".join(ch for ch in (number or "") if ch.isascii() and (ch.isalnum() or ch == "-"))
    if cleaned:
        return RedirectResponse(f"/track/{cleaned.upper()}", status_code=303)
    return _page("track_form.html", number=number or "", error=bool(number))


@router.get("/track/{tracking_number}", include_in_schema=False)
async def track_page(
    tracking_number: Annotated[str, PathParam(max_length=100)],
    request: Request,
    session: Session,
    config: Config,
    now: Now,
) -> HTMLResponse:
    try:
        parcel = await _lookup(request, session, tracking_number, config, now)
    except ShipmentNotFound:
        return _page("track_form.html", 404, number=tracking_number, error=True)
    return _page("track.html", parcel=parcel, today=now.date())
