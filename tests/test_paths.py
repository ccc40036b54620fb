"""Where notebooks write their derived files: committed results change only through `make`."""

from helpers import paths


def test_explicit_folder_wins(tmp_path, monkeypatch):
    monkeypatch.setenv(paths.COMMITTED_RESULTS, "1")
    assert paths.results_dir(tmp_path) == tmp_path


def test_outside_make_results_go_to_build(monkeypatch):
    monkeypatch.delenv(paths.COMMITTED_RESULTS, raising=False)
    assert paths.results_dir() == paths.BUILD / "derived"
    monkeypatch.setenv(paths.COMMITTED_RESULTS, "0")
    assert paths.results_dir("") == paths.BUILD / "derived"


def test_make_writes_the_committed_folder(monkeypatch):
    monkeypatch.setenv(paths.COMMITTED_RESULTS, "1")
    assert paths.results_dir() == paths.DERIVED
