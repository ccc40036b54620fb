"""environment.yml installs the lock; every direct dependency is pinned; Python 3.11+."""

import re

from helpers import paths

PIN = re.compile(r"^([A-Za-z0-9_.\-\[\]]+)==([^\s;#]+)")


def _pins(text: str) -> dict[str, str]:
    return {m.group(1).lower(): m.group(2) for m in map(PIN.match, text.splitlines()) if m}


def test_environment_installs_the_lock():
    text = (paths.ROOT / "environment.yml").read_text()
    assert "- -r requirements.txt" in text, "conda, Binder and repo2docker must install the lock"
    assert not _pins(text.replace("      - ", "")), "environment.yml pins nothing of its own"


def test_every_direct_dependency_is_pinned():
    direct = [
        re.split(r"[\s#;\[<>=]", line.strip())[0].lower()
        for line in (paths.ROOT / "requirements.in").read_text().splitlines()
        if line.split("#")[0].strip()
    ]
    locked = _pins((paths.ROOT / "requirements.txt").read_text())
    assert {"jupyterlab", "pandas", "seaborn", "nbval", "papermill"} <= set(direct)
    assert [name for name in direct if name not in locked] == []


def test_python_range_admits_311_to_313():
    text = (paths.ROOT / "pyproject.toml").read_text()
    assert re.search(r'^requires-python = ">=3\.11"$', text, re.M)
