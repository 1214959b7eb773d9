"""Operator endpoints for events and jobs (filled in below)."""

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1/admin", tags=["operations"])
