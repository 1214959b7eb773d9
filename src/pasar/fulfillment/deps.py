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
    """The app's one configuration, built (carriers read and checked) in `create_app`."""
    config: FulfillmentConfig = request.app.state.fulfillment_config
    return config


Now = Annotated[datetime, Depends(fulfillment_clock)]
Config = Annotated[FulfillmentConfig, Depends(fulfillment_config)]
