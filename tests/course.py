"""What the course tests share: how a key value could be printed, and where it must not be."""

from __future__ import annotations

import math
import re
from pathlib import Path

from helpers import claims


def forms(value: float, tolerance: float) -> set[str]:
    """Every way a numeric answer could be printed at or near its precision: 0.2822 as 0.282,
    0.2822, 28.2%, 28%, 28.22 percent; 2465 as 2465 and 2,465."""
    places = max(0, round(-math.log10(2 * tolerance)))
    found = {f"{value:.{p}f}" for p in (places, places + 1)}
    found |= {f"{value:,.{p}f}" for p in (places, places + 1)}
    if abs(value) < 1:  # a fraction is also printed as a percentage
        for p in range(max(0, places - 2), places):
            found |= {f"{100 * value:.{p}f}%", f"{100 * value:.{p}f} percent"}
    return found


def numbers(text: str) -> set[str]:
    """Every number printed in ``text``, alone and with its percent sign or word."""
    found = set()
    for token in re.findall(r"(?<![\w.,-])\d[\d,]*(?:\.\d+)?(?:%| percent)?", text):
        token = token.rstrip(",")
        found |= {token, token.removesuffix("%").removesuffix(" percent")}
    return found


def leaks(text: str, key: list[dict]) -> list[str]:
    """The key values printed in ``text``, unless the article itself prints them (the ledger's
    quotes are the article's words, which every edition shows)."""
    quoted, printed = numbers(" ".join(claims.load_claims()["quote"])), numbers(text)
    return [
        f"{row['student'] or 'everyone'} {row['exercise']}: {form}"
        for row in key
        if row["kind"] == "numeric"
        for form in sorted(forms(row["answer"], row["tolerance"]))
        if form in printed and form not in quoted
    ]


def edition_text(folder: Path) -> str:
    """Every file of an edition a student receives, as text (images, inline or not, left out)."""
    return "\n".join(
        re.sub(r"[A-Za-z0-9+/]{100,}=*", " ", p.read_text(encoding="utf-8", errors="replace"))
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.suffix in {".html", ".ipynb", ".js", ".md", ".csv", ".txt"}
    )
