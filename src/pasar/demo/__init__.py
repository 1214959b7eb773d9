"""Deterministic demo marketplace for `pasar demo` and `make run`."""
