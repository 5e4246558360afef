"""Per-request facts that deep code may need (the client IP for the audit trail)."""

from __future__ import annotations

import contextvars

_current_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("voronka_current_ip", default=None)


def set_current_ip(ip: str | None) -> contextvars.Token[str | None]:
    return _current_ip.set(ip)


def reset_current_ip(token: contextvars.Token[str | None]) -> None:
    _current_ip.reset(token)


def current_ip() -> str | None:
    return _current_ip.get()
