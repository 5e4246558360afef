"""Dashboards and their widgets."""

__all__: list[str] = []
