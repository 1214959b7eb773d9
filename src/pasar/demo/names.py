"""The demo's sizes, importable without the modules (the CLI builds its options from it)."""

from __future__ import annotations

from enum import StrEnum


class ScaleName(StrEnum):
    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"
