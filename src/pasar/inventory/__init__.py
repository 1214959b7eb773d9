"""inventory: placeholder until its issue-2 work lands."""

from pasar.inventory.router import router

__all__ = ["router"]
