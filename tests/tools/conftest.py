"""Fixtures shared by the site tests: each edition built once per test process, one browser."""

from __future__ import annotations

import pytest

from tools import browser as chromium
from tools import site


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> dict:
    return site.build(tmp_path_factory.mktemp("site") / "site", quiet=True)


@pytest.fixture(scope="session")
def student(tmp_path_factory) -> dict:
    return site.build(tmp_path_factory.mktemp("student") / "student", student=True, quiet=True)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for every browser test of the session (Debian: apt-get install -y
    chromium); without it these tests fail, saying how to install it."""
    assert chromium.CHROMIUM.exists(), (
        f"no Chromium at {chromium.CHROMIUM}: apt-get install -y chromium, or set CHROMIUM"
    )
    with chromium.chromium() as launched:
        yield launched
