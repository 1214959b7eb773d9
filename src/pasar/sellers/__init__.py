"""sellers: placeholder until its issue-2 work lands."""

from pasar.sellers.router import router

__all__ = ["router"]
