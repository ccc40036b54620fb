"""One voice: the glossary is written from one list of terms and defines, once each, every
verdict the code can give and every term the pages lean on."""

from __future__ import annotations

import re

from helpers import claims, external, paths
from tools import glossary

# words the pages use in a sense of their own (issue 23): each must have its definition
LISTED = ("primary reading", "robustness check", "hedge band", "different measure", "over")


def test_the_page_is_the_rendering_of_the_list():
    assert glossary.GLOSSARY.read_text(encoding="utf-8") == glossary.render(), (
        "notebooks/GLOSSARY.md is not the rendering of notebooks/glossary.yaml: "
        "run python -m tools.glossary"
    )


def test_every_verdict_and_listed_term_is_defined_once():
    terms = glossary.terms()
    assert sorted({t for t in terms if terms.count(t) > 1}) == [], "defined twice"
    wanted = {*claims.VERDICTS, *external.VERDICTS, *LISTED}
    assert wanted - set(terms) == set(), "used but not defined"
    # lower case words only: the anchor is the same on GitHub and on the site
    assert [t for t in terms if not re.fullmatch(r"[a-z]+( [a-z]+)*", t)] == []


def test_over_is_strict_as_the_rules_say():
    definitions = {
        t["term"]: t["definition"] for g in glossary.load()["groups"] for t in g["terms"]
    }
    assert definitions["over"].lower().startswith("strict")
    assert claims.judge("70", "gt", 70.0, tolerance=0.5) == claims.INCONSISTENT  # the rule
    # no other definition lists "over" among the hedged words
    assert '"over"' not in definitions["hedge band"]


def test_every_glossary_link_lands_on_a_term_or_heading():
    text = glossary.render()
    anchors = {glossary.anchor(t) for t in glossary.terms()}
    anchors |= {h.replace(" ", "-") for h in re.findall(r"^## (.+)$", text, flags=re.M)}
    sources = [*paths.NOTEBOOKS.glob("*.ipynb"), *paths.NOTEBOOKS.glob("*.md")]
    linked = {
        (p.name, a)
        for p in sources
        for a in re.findall(r"GLOSSARY\.md#([\w-]+)", p.read_text(encoding="utf-8"))
    }
    linked |= {("GLOSSARY.md", a) for a in re.findall(r"\]\(#([\w-]+)\)", text)}
    assert {(name, a) for name, a in linked if a not in anchors} == set()
