"""catalog's tables."""
