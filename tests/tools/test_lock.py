"""environment.yml (conda, Binder) and requirements.txt (pip, uv) pin the same versions."""

from tools import lock


def test_environment_matches_lock():
    locked = lock.pins(lock.LOCK.read_text())
    environment = lock.pins(lock.ENVIRONMENT.read_text())
    assert environment == locked
    assert lock.ENVIRONMENT.read_text() == lock.render(lock.LOCK.read_text())


def test_every_direct_dependency_is_pinned():
    direct = [
        line.split("#")[0].strip().lower()
        for line in (lock.paths.ROOT / "requirements.in").read_text().splitlines()
        if line.split("#")[0].strip()
    ]
    locked = lock.pins(lock.LOCK.read_text())
    assert {"jupyterlab", "pandas", "seaborn", "nbval", "papermill"} <= set(direct)
    assert [name for name in direct if name not in locked] == []


def test_pins_detects_disagreement():
    assert lock.pins("pandas==3.1.1\n") != lock.pins("      - pandas==3.0.0\n")
