"""inventory's tables."""
