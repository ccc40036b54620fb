"""The notebooks in reading order: what each covers and must wait for.

The runner uses ``after`` to order a parallel run (whether a notebook must rerun depends on all
of its inputs, see ``tools.run.inputs``); the README and the site use ``title`` and ``covers``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from helpers import paths


@dataclass(frozen=True)
class Notebook:
    name: str
    title: str
    covers: str
    after: tuple[str, ...] = field(default_factory=tuple)

    @property
    def path(self) -> Path:
        return paths.NOTEBOOKS / f"{self.name}.ipynb"


SECTION_NOTEBOOKS = (
    Notebook(
        "01_introduction",
        "Introduction: budgets, sister affiliations and associations",
        "Introduction; Table 1; Figure 1 (what the text states); notes 1-2",
    ),
    Notebook(
        "02_historical_perspective",
        "A historical perspective: partners over time",
        "A Historical Perspective; Tables 2-3; notes 4, 6-12, 14",
    ),
    Notebook(
        "03_international_activities",
        "International activities and programs: where the money goes",
        "International Activities and Programs; Miyazaki Prefecture; Joetsu City; note 15",
    ),
    Notebook(
        "04_impact_of_globalization",
        "The impact of globalization: residents, investment and cooperation",
        "The Impact of Globalization; notes 16-20",
    ),
)
CROSS_CHECKS = Notebook(
    "05_external_cross_checks",
    "Cross-checks against public records, and what happened after 2001",
    "Claims from every section against external data; JET, affiliations and mergers after 2001",
)
AUDIT = Notebook(
    "00_audit_report",
    "Audit report: every claim and its verdict",
    "All sections: verdict counts, inconsistencies, not-checkable claims, external checks",
    after=tuple(nb.name for nb in (*SECTION_NOTEBOOKS, CROSS_CHECKS)),
)
# Reading order: the audit report first (it is what readers open), then the sections.
ALL = (AUDIT, *SECTION_NOTEBOOKS, CROSS_CHECKS)


def by_name(name: str) -> Notebook:
    """Look a notebook up by name, with or without the .ipynb suffix or folder."""
    stem = Path(name).name.removesuffix(".ipynb")
    for nb in ALL:
        if nb.name == stem:
            return nb
    raise KeyError(f"unknown notebook {name!r}; known: {[nb.name for nb in ALL]}")


def existing() -> tuple[Notebook, ...]:
    """The registered notebooks that exist on disk (later issues add the rest)."""
    return tuple(nb for nb in ALL if nb.path.exists())
