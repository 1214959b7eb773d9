"""Request-scoped inputs of checkout: its configuration and the clock.

Both are dependencies so a test (or a demo) can pin `now` to a known Monday morning and
check promised dates to the day, without touching the services.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request

from pasar.checkout.config import CheckoutConfig
from pasar.platform.time import utcnow


def checkout_clock() -> datetime:
    return utcnow()


def checkout_config(request: Request) -> CheckoutConfig:
    """Checkout shops the same carriers fulfilment ships with: the app's one set."""
    state = request.app.state
    return CheckoutConfig.from_settings(state.settings, carriers=state.fulfillment_config.carriers)


Now = Annotated[datetime, Depends(checkout_clock)]
Config = Annotated[CheckoutConfig, Depends(checkout_config)]
