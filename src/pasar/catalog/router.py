"""catalog's HTTP layer."""

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1", tags=["catalog"])
