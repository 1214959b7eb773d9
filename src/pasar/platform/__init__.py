"""Shared platform pieces every module builds on: settings, database, errors, events, money."""
