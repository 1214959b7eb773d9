"""web: the built-in front ends (storefront, seller portal, operator console).

Placeholder wiring: filled in by issue 6.
"""

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)

__all__ = ["router"]
