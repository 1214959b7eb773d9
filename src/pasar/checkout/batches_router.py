"""`POST /api/v1/admin/order-batches`: trusted channels place many orders per request."""

from __future__ import annotations

import orjson
from fastapi import APIRouter, Request, Response

from pasar import payments
from pasar.checkout.batch_schemas import BatchAnswer, OrderBatch
from pasar.checkout.batches import place_batch
from pasar.checkout.deps import Config, Now
from pasar.identity import OperatorPrincipal
from pasar.platform.db import Session

router = APIRouter(tags=["checkout"])


@router.post("/api/v1/admin/order-batches", response_model=BatchAnswer)
async def place_order_batch(
    body: OrderBatch,
    request: Request,
    session: Session,
    principal: OperatorPrincipal,
    config: Config,
    now: Now,
) -> Response:
    """Place up to 1,000 orders from a trusted channel (an import, a flash-sale queue).

    Operators only. Each order is all or nothing and never oversells; one bad order never
    fails the others: the answer lists, in request order, `placed`, `duplicate` (the
    channel's `external_id` was placed before: the first order is returned, so a retried
    batch places nothing twice) or `rejected` with a problem (insufficient-stock,
    offer-not-found, offer-not-purchasable, no-delivery, invalid-delivery-choice,
    cod-not-available). Prices are the offers' prices now; shipping is checkout's rule,
    the requested service per seller or else the cheapest. Payment `external` records
    money taken at the channel (received, every share paid); `cod` is cash on delivery.
    """
    settings = request.app.state.settings
    answer = await place_batch(
        session,
        body,
        config=config,
        payment_config=payments.PaymentConfig.from_settings(settings),
        actor=f"batch:{body.channel}"[:60],
        now=now,
    )
    # Built as BatchAnswer already: skip FastAPI's second validation of 1,000 results.
    return Response(orjson.dumps(answer), media_type="application/json")
