"""Write the glossary page (notebooks/GLOSSARY.md) from its one list of terms (``python -m
tools.glossary``).

The terms live in notebooks/glossary.yaml, beside the notebooks that use them; the markdown is
committed so that the glossary reads on GitHub too, and tests/test_glossary.py fails while it
is not the rendering of the list. Each term is a heading whose anchor is the term itself
(``GLOSSARY.md#hedge-band``), the same on GitHub and on the site.
"""

from __future__ import annotations

import sys
import textwrap

import yaml

from helpers import paths

TERMS = paths.NOTEBOOKS / "glossary.yaml"
GLOSSARY = paths.NOTEBOOKS / "GLOSSARY.md"


def load() -> dict:
    return yaml.safe_load(TERMS.read_text(encoding="utf-8"))


def terms(glossary: dict | None = None) -> list[str]:
    """Every term defined, in the order of the page (a term listed twice appears twice)."""
    glossary = glossary or load()
    return [t["term"] for group in glossary["groups"] for t in group["terms"]]


def anchor(term: str) -> str:
    """The id a term's heading gets, on GitHub and from nbconvert alike (terms are lower case)."""
    return term.replace(" ", "-")


def _wrapped(text: str) -> str:
    return textwrap.fill(" ".join(text.split()), width=96, break_on_hyphens=False)


def render(glossary: dict | None = None) -> str:
    glossary = glossary or load()
    generated = "<!-- Written by `python -m tools.glossary` from glossary.yaml: edit that. -->"
    parts = [generated, f"# {glossary['title']}", _wrapped(glossary["intro"])]
    for group in glossary["groups"]:
        parts.append(f"## {group['heading']}")
        if group.get("intro"):
            parts.append(_wrapped(group["intro"]))
        for entry in group["terms"]:
            parts += [f"### {entry['term']}", _wrapped(entry["definition"])]
    return "\n\n".join(parts) + "\n"


def main() -> int:
    GLOSSARY.write_text(render(), encoding="utf-8")
    print(f"wrote {paths.relative(GLOSSARY)} ({len(terms())} terms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
