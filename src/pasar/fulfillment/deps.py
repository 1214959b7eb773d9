"""Request-scoped inputs of fulfilment: its configuration (built once per app) and the clock."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request

from pasar.fulfillment.config import FulfillmentConfig
from pasar.platform.time import utcnow


def fulfillment_clock() -> datetime:
    return utcnow()


def fulfillment_config(request: Request) -> FulfillmentConfig:
    """Carriers are read from their file once per app, not once per request."""
    state = request.app.state
    config: FulfillmentConfig | None = getattr(state, "fulfillment_config", None)
    if config is None:
        config = FulfillmentConfig.from_settings(state.settings)
        state.fulfillment_config = config
    return config


Now = Annotated[datetime, Depends(fulfillment_clock)]
Config = Annotated[FulfillmentConfig, Depends(fulfillment_config)]
