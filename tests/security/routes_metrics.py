"""metrics pages in the page route matrix: the glossary, open to every role."""

from __future__ import annotations

from .page_route import PageRoute

PAGES: dict[str, PageRoute] = {
    "metrics:glossary": PageRoute(),
}
