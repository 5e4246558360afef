"""Fail when a Russian message is missing, fuzzy, or its compiled .mo is stale.

Runs without GNU gettext tools: polib is not needed, the .po format we check is simple.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "voronka" / "locale" / "ru" / "LC_MESSAGES"


def main() -> int:
    failures: list[str] = []
    for po in sorted(PO.glob("*.po")):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime - 1:
            failures.append(f"{mo.relative_to(ROOT)} is missing or older than its .po: run compilemessages")
        entries = po.read_text(encoding="utf-8").split("\n\n")
        for entry in entries[1:]:
            lines = [line for line in entry.strip().splitlines() if line.strip()]
            if not lines or all(line.startswith("#~") for line in lines):
                continue
            if any(line.startswith("#,") and "fuzzy" in line for line in lines):
                failures.append(f"{po.name}: fuzzy entry: {lines[-2] if len(lines) > 1 else lines[0]}")
                continue
            msgstr_lines: list[str] = []
            collecting = False
            for line in lines:
                if line.startswith("msgstr"):
                    collecting = True
                    msgstr_lines.append(line.split(" ", 1)[1] if " " in line else "")
                elif collecting and line.startswith('"'):
                    msgstr_lines.append(line)
                elif collecting:
                    collecting = False
            if not any(part.strip('"') for part in msgstr_lines):
                msgid = next((line for line in lines if line.startswith("msgid")), "?")
                failures.append(f"{po.name}: untranslated: {msgid}")
    if not list(PO.glob("*.po")):
        failures.append(f"no Russian catalogue under {PO.relative_to(ROOT)}")
    for failure in failures:
        print(failure)
    print(f"messages: {len(failures)} problem(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
