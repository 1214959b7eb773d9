"""sellers's tables."""
