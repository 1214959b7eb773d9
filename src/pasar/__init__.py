"""Pasar: an open-source multi-vendor marketplace platform."""

__version__ = "0.1.0"
