"""catalog: placeholder until its issue-2 work lands."""

from pasar.catalog.router import router

__all__ = ["router"]
