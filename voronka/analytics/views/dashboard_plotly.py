"""plotly.js's own stylesheets, served as a file so the strict CSP (style-src 'self') holds.

plotly.js adds CSS through inline <style> elements, which the CSP refuses: its own rules (hover
labels, the mode bar, notifiers) unless the page has an element with the id
`plotly.js-style-global` and the class `no-inline-styles`, and MapLibre's unless an element with
MapLibre's id exists. Pages with charts include "analytics/dashboard_plotly_head.html" in their
head (context: `plotly_maplibre_id`, from `plotly_maplibre_id()`), which links this stylesheet under
both ids. The rules are read from the plotly.min.js of the installed plotly package, so they always
match the bundle that is served.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import plotly
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods

BUNDLE = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
_START = '{"X,X div":'
_PAIR = re.compile(r'"((?:[^"\\]|\\.)*)":(?:\'((?:[^\'\\]|\\.)*)\'|"((?:[^"\\]|\\.)*)")(,|\})')


def plotly_css_rules(source: str) -> list[str]:
    """The CSS rules plotly.js would insert, in the order that gives them the same precedence."""
    start = source.find(_START)
    if start < 0:
        return []
    position = start + 1
    rules = []
    while match := _PAIR.match(source, position):
        selector, single, double, end = match.groups()
        body = single if single is not None else double
        selector = re.sub(r"^,", " ,", selector).replace("X", ".js-plotly-plot .plotly").replace(
            "Y", ".plotly-notifier")
        rules.append(f"{selector}{{{body.replace(chr(92), '')}}}")
        position = match.end()
        if end == "}":
            break
    # plotly inserts each rule at the top of its sheet: the first rule ends up last.
    return list(reversed(rules))


_MAPLIBRE = re.compile(r'getElementById\("([0-9a-f]{16,128})"\)\)\{var (\w+)=document\.createElement\("style"\);'
                       r'\2\.id="\1",\2\.textContent=\'((?:[^\'\\]|\\.)*)\'')


def maplibre_css(source: str) -> tuple[str, str]:
    """The id and the CSS of the <style> element plotly.js adds for MapLibre ("" when there is none)."""
    match = _MAPLIBRE.search(source)
    if match is None:
        return "", ""
    return match.group(1), match.group(3).replace("\\", "")


@lru_cache(maxsize=1)
def _bundle() -> str:
    return BUNDLE.read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _stylesheet() -> str:
    source = _bundle()
    return "\n".join([*plotly_css_rules(source), maplibre_css(source)[1]]) + "\n"


def plotly_maplibre_id() -> str:
    """The id pages give a second link to this stylesheet, so plotly.js adds no inline MapLibre <style>."""
    return maplibre_css(_bundle())[0]


@require_http_methods(["GET", "HEAD"])
def plotly_css_view(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(_stylesheet(), content_type="text/css; charset=utf-8")
    response["Cache-Control"] = "public, max-age=86400"
    return response
