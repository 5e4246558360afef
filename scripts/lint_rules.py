"""Project lint rules for SECURITY.md R1, R10, R11 and R13 (R28), run by `make lint`.

R1  views and API endpoints reach objects only through access helpers: no `.objects.get(`,
    `get_object_or_404(` or `.unscoped` in views/ or api modules.
R10 nothing marks model data safe: no `mark_safe(`, `SafeString(`, `|safe` or `{% autoescape off %}`
    outside the reviewed allow-list.
R11 no Django/Jinja template is ever built from a string at run time (`Template(`, `from_string(`).
R13 spreadsheets are written only by voronka/crm/exporting.py (which quotes formula cells):
    no `csv.writer(`/`csv.DictWriter(`/`openpyxl.Workbook(` elsewhere in application code.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "voronka"

ALLOW = {
    # Renders templates (autoescaped) of registered panels; the HTML is ours, not model data.
    ("R10", "voronka/core/panels.py"),
    # The spreadsheet writer itself, and the import error report that uses its safe cells.
    ("R13", "voronka/crm/exporting.py"),
    ("R13", "voronka/crm/services/imports/running.py"),  # the error report, every cell through spreadsheet_safe
    # A plain-text email: nothing is rendered as HTML, so HTML-escaping would only garble it.
    ("R10", "voronka/accounts/templates/accounts/email/password_reset.txt"),
}

RULES: list[tuple[str, re.Pattern[str], str, str]] = [
    ("R1", re.compile(r"\.objects\.get\(|get_object_or_404\(|\.unscoped\b"), "py", "views_or_api"),
    ("R10", re.compile(r"mark_safe\(|SafeString\(|\|\s*safe\b|autoescape\s+off"), "any", "all"),
    ("R11", re.compile(r"\bTemplate\(|from_string\("), "py", "all"),
    ("R13", re.compile(r"csv\.(writer|DictWriter)\(|Workbook\("), "py", "all"),
]


def _in_scope(path: Path, scope: str) -> bool:
    rel = path.relative_to(APP).parts
    if "tests" in rel or "migrations" in rel:
        return False
    if scope == "views_or_api":
        return "views" in rel or rel[-1] in {"views.py", "api.py"} or "api" in rel
    return True


def main() -> int:
    problems = []
    files = [p for p in APP.rglob("*") if p.suffix in {".py", ".html", ".txt"} and p.is_file()]
    for path in files:
        rel = str(path.relative_to(ROOT))
        text = path.read_text(encoding="utf-8", errors="replace")
        for rule, pattern, kind, scope in RULES:
            if kind == "py" and path.suffix != ".py":
                continue
            if (rule, rel) in ALLOW or not _in_scope(path, scope):
                continue
            for lineno, line in enumerate(text.splitlines(), 1):
                if pattern.search(line) and f"lint: allow {rule}" not in line:
                    problems.append(f"{rel}:{lineno}: {rule}: {line.strip()[:100]}")
    for problem in problems:
        print(problem)
    print(f"project lint rules: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
