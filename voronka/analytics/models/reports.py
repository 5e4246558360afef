"""Saved reports and their weekly schedule."""

__all__: list[str] = []
