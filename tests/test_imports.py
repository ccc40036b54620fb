"""The code's rooms stay tidy: no import cycle among tools/ and helpers/, and the site's code
never imports the plotting libraries (the palette lives in helpers/colours.py for that).

Read from the import statements (``ast``), every one of them, including those inside functions:
an import deferred for speed is still a dependency.
"""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

import pytest

from helpers import paths

PACKAGES = ("helpers", "tools")


def imports(source: str, modules: set[str]) -> tuple[set[str], set[str]]:
    """(project modules, other top-level packages) that one module's source imports."""
    ours, others = set(), set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            # `from tools import site` imports the module tools.site, `from tools.site import X`
            # the module tools.site
            names = [f"{node.module}.{alias.name}" for alias in node.names] + [node.module]
        else:
            continue
        for name in names:
            if name in modules:
                ours.add(name)
            elif name.split(".")[0] not in PACKAGES:
                others.add(name.split(".")[0])
    return ours, others


def import_graph(root: Path) -> dict[str, tuple[set[str], set[str]]]:
    """{module: (project modules it imports, other packages it imports)} for root's packages."""
    files = {f"{p.parent.name}.{p.stem}": p for pkg in PACKAGES for p in (root / pkg).glob("*.py")}
    modules = set(files) | set(PACKAGES)
    graph = {
        name: imports(path.read_text(encoding="utf-8"), modules) for name, path in files.items()
    }
    return {name: (ours - {name} - set(PACKAGES), others) for name, (ours, others) in graph.items()}


def cycle(graph: dict[str, tuple[set[str], set[str]]]) -> list[str]:
    """One import cycle of the graph (its modules, the first repeated at the end), or []."""
    try:
        graphlib.TopologicalSorter({m: ours for m, (ours, _) in graph.items()}).prepare()
    except graphlib.CycleError as error:
        return error.args[1]
    return []


def reached(graph, start: str) -> tuple[set[str], set[str]]:
    """Every project module and other package that importing ``start`` may import."""
    seen, others, todo = set(), set(), [start]
    while todo:
        module = todo.pop()
        if module not in seen:
            seen.add(module)
            todo += graph[module][0]
            others |= graph[module][1]
    return seen, others


GRAPH = import_graph(paths.ROOT)


def test_no_import_cycle_among_tools_and_helpers():
    assert "tools.site" in GRAPH and "helpers.plotting" in GRAPH
    assert cycle(GRAPH) == []


@pytest.mark.parametrize("module", ["tools.site", "tools.student", "helpers.colours"])
def test_the_site_and_the_palette_import_no_plotting_library(module):
    _, others = reached(GRAPH, module)
    assert others & {"matplotlib", "seaborn"} == set(), module


def test_the_checks_see_a_cycle_and_a_plotting_import(tmp_path):
    """They can fail: site and student importing each other (as they once did), and a palette
    module that imports seaborn, written as a small project of their own."""
    for package, modules in {
        "tools": {
            "site": "from tools import notebooks\n\ndef build():\n    from tools import student\n",
            "student": "from tools.site import build\n",
            "notebooks": "import json\n",
        },
        "helpers": {"colours": "import seaborn as sns\n", "paths": "from pathlib import Path\n"},
    }.items():
        (tmp_path / package).mkdir()
        for name, source in modules.items():
            (tmp_path / package / f"{name}.py").write_text(source, encoding="utf-8")
    graph = import_graph(tmp_path)
    found = cycle(graph)
    assert set(found) == {"tools.site", "tools.student"} and found[0] == found[-1]
    assert reached(graph, "tools.student") == (
        {"tools.student", "tools.site", "tools.notebooks"},
        {"json"},
    )
    assert reached(graph, "helpers.colours")[1] == {"seaborn"}
