"""Errors of the parsing layer: a stable code plus parameters; the service turns them into messages."""

from __future__ import annotations

from typing import Any


class ImportFileError(Exception):
    """The file as a whole cannot be imported (empty, binary, too large, not a spreadsheet…)."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


class RowError(Exception):
    """One row cannot be imported; the rest of the file goes on."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params
