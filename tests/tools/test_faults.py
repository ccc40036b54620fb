"""Every fault of issue 20 ends in one sentence that names the cause and what to do, with a
non-zero exit, and changes no tracked file. Each runs on a temporary copy of the project, in
this process where the behaviour is not the process's own (the signals and make are)."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import tempfile
import time

import pytest

from helpers import data, paths
from tools import kernels, run, site, student, sweep

TABLE1 = "data/article/table1_sister_affiliations.csv"
BENCHMARKS = "data/external/sister_affiliation_external_benchmarks.csv"


def _replace(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# --- data: refused before any kernel starts, in one sentence naming file, row and column ----

# (fault, how to make it in the copy, the sentence's words)
DATA_FAULTS = {
    "BOM": (
        lambda root: (root / TABLE1).write_bytes(b"\xef\xbb\xbf" + (root / TABLE1).read_bytes()),
        f"{TABLE1}: starts with a UTF-8 byte-order mark; save it as UTF-8 without BOM.",
    ),
    "trailing blank line": (
        lambda root: (root / TABLE1).write_text((root / TABLE1).read_text() + "\n"),
        f"{TABLE1}: line 17 is blank; remove it",
    ),
    "truncated last field": (
        lambda root: (root / TABLE1).write_text((root / TABLE1).read_text()[:-2]),
        f"{TABLE1}: line 16 does not end in a newline: the file may be truncated",
    ),
    "a CSV replaced by a folder": (
        lambda root: ((root / TABLE1).unlink(), (root / TABLE1).mkdir()),
        f"{TABLE1}: is a folder, not a CSV file",
    ),
    "a symlinked CSV": (
        lambda root: ((root / TABLE1).unlink(), (root / TABLE1).symlink_to("citations.csv")),
        f"{TABLE1}: is a symbolic link (to citations.csv)",
    ),
    "an empty package": (
        lambda root: (root / "data/datapackage.json").write_text("{}"),
        "data/datapackage.json has no list of 'resources'",
    ),
    "a date outside the file's period": (
        lambda root: _replace(root / TABLE1, "2001-04-01,", "2099-04-01,"),
        f"{TABLE1}: row 2, column 'as_of': value '2099-04-01' is above the maximum 2001-04-01.",
    ),
    "a share of 150 percent": (
        lambda root: _replace(root / BENCHMARKS, "share_korea_pct,7.0", "share_korea_pct,150"),
        f"{BENCHMARKS}: row 4, column 'value': value 150.0 is above the maximum 100",
    ),
    "99,999,999 JET participants": (
        lambda root: _replace(
            root / "data/external/jet_participants_by_fy.csv", "2001,6190,", "2001,99999999,"
        ),
        "jet_participants_by_fy.csv: row 16, column 'participants': value '99999999' is above "
        "the maximum 20000.",
    ),
    "a ledger quote that no longer prints its value": (
        lambda root: _replace(
            root / "data/claims.csv", "as many as 972 such", "as many as 9720 such"
        ),
        "data/claims.csv: row 3, column 'stated_value': 972 is not a quantity its quote prints",
    ),
    "nan in a text column a notebook parses as a number": (
        lambda root: _replace(
            root / "data/external/local_intl_expenditure_anchors_million_yen.csv",
            '"~half of FY2000 (~52,000, derived)"',
            "nan",
        ),
        "local_intl_expenditure_anchors_million_yen.csv: row 3, column 'value_million_yen': "
        "value 'nan' does not match the pattern",
    ),
}


class TestBadData:
    @pytest.mark.parametrize("fault", DATA_FAULTS)
    def test_bad_data_is_refused_before_any_kernel(
        self, fault, in_project, snapshot, monkeypatch, capsys
    ):
        make, sentence = DATA_FAULTS[fault]
        make(in_project)
        before = snapshot(in_project)
        started = []
        monkeypatch.setattr(kernels, "warm_kernel", lambda *a, **k: started.append(a))
        assert run.main(["--force"]) == 1
        err = capsys.readouterr().err
        assert sentence in err
        assert err.count("\n") == 1 and "Traceback" not in err, err
        assert started == [], "a kernel started despite bad data"
        assert snapshot(in_project) == before


# --- code, notebooks and options ------------------------------------------------------------


def test_a_syntax_error_in_helpers_is_named_once(in_project, snapshot, capsys):
    plotting = in_project / "helpers" / "plotting.py"
    lines = plotting.read_text().splitlines()
    lines[11] = "def broken(:"
    plotting.write_text("\n".join(lines) + "\n")
    before = snapshot(in_project)
    assert run.main(["--force", "01_introduction"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: helpers/plotting.py, line 12: invalid syntax"), err
    assert err.count("\n") == 1 and "\x1b[" not in err
    assert snapshot(in_project) == before


def test_a_broken_notebook_is_named(in_project, snapshot, capsys):
    notebook = in_project / "notebooks" / "01_introduction.ipynb"
    notebook.write_bytes(notebook.read_bytes()[:5000])  # truncated
    before = snapshot(in_project)
    assert run.main(["01_introduction"]) == 1
    err = capsys.readouterr().err
    assert "error: notebooks/01_introduction.ipynb is not a valid notebook (" in err
    assert "git checkout -- notebooks/01_introduction.ipynb" in err
    assert snapshot(in_project) == before


@pytest.mark.parametrize("value", ["", "0", "ten", "1.5"])
def test_an_empty_or_bad_timeout_is_named(value, capsys):
    assert run.main(["--timeout", value]) == 1
    err = capsys.readouterr().err
    assert err == (
        f"error: TIMEOUT (--timeout) is {value!r}; allowed: whole seconds, 1 or more "
        "(for example make TIMEOUT=600).\n"
    )


def test_make_passes_an_empty_timeout_on_to_be_named():
    """An empty TIMEOUT= reaches tools.run as '' (not as a missing argparse value)."""
    said = subprocess.run(
        ["make", "-n", "TIMEOUT=", "run"], cwd=paths.ROOT, capture_output=True, text=True
    ).stdout
    assert "--timeout ''" in said


def test_a_malformed_sweep_grid_is_named(tmp_path, capsys):
    grid = tmp_path / "grid.yaml"
    grid.write_text("grid:\n  tolerance: [0.1\n  bad: {\n")
    assert sweep.main(["01_introduction", str(grid)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: grid.yaml: line ") and err.count("\n") == 1, err


def test_make_pdf_without_chromium_is_named(tmp_path, monkeypatch, capsys):
    from tools import browser

    monkeypatch.setattr(browser, "CHROMIUM", tmp_path / "no-chromium")
    out = tmp_path / "site"
    assert site.main(["--out", str(out), "--pdf", str(tmp_path / "c.pdf")]) == 1
    err = capsys.readouterr().err
    assert "error: no Chromium at" in err and "apt-get install -y chromium" in err
    assert not out.exists(), "nothing was built"


# --- make's install step ----------------------------------------------------------------------


class TestMakeInstall:
    """make's install step: a class of its own, so that xdist runs it beside the rest."""

    @pytest.mark.parametrize("python", ["/nonexistent/python3", "/bin/true", ""])
    def test_a_bad_python_is_refused_before_the_venv_is_touched(self, python, project_copy):
        venv = project_copy / ".venv"
        (venv / "bin").mkdir(parents=True)
        (venv / "bin" / "python").symlink_to(sys.executable)  # a working .venv to keep
        result = subprocess.run(
            ["make", f"PYTHON={python}", "run"], cwd=project_copy, capture_output=True, text=True
        )
        assert result.returncode != 0
        assert f"make: PYTHON={python} is not a Python; this project needs Python 3.11" in (
            result.stdout
        )
        assert sorted(p.name for p in venv.iterdir()) == ["bin"], ".venv was touched"
        assert (venv / "bin" / "python").exists()

    def test_an_install_without_a_package_index_says_so(self, project_copy):
        """make's install step offline: one sentence saying what to do (pip's words go to a log)."""
        env = {
            **os.environ,
            "PIP_CONFIG_FILE": os.devnull,  # no mirror, no wheel folder from this machine's config
            "PIP_NO_INDEX": "1",
            "PIP_FIND_LINKS": "",
            "UV_OFFLINE": "1",
        }
        result = subprocess.run(
            ["make", f"PYTHON={sys.executable}", "run"],
            cwd=project_copy,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode != 0
        assert "make: could not install the locked packages (pip's words are in .venv/pip.log)" in (
            result.stdout
        )
        assert "no package index answered?" in result.stdout
        assert "Traceback" not in result.stdout + result.stderr


# --- read-only checkout and full disk, for every entry point ---------------------------------


def _refuse_writes(monkeypatch, code: int):
    """Every new temporary folder or file fails as on a read-only or full disk."""

    def refuse(*args, **kwargs):
        raise OSError(code, os.strerror(code), str(paths.BUILD / "x"))

    monkeypatch.setattr(tempfile, "mkdtemp", refuse)
    monkeypatch.setattr(data, "write_atomically", refuse)


def _grade_one_bad_file(tmp) -> int:
    """A key and one unreadable notebook: grading writes only grades.csv."""
    (tmp / "ada").mkdir()
    (tmp / "ada" / "01_introduction.ipynb").write_text("{", encoding="utf-8")
    row = ",01_introduction,01-1,practice,numeric,number,0.5,0.1,{}"
    (tmp / "key.csv").write_text(",".join(student.KEY_FIELDS) + "\n" + row + "\n")
    return student.main(["grade", str(tmp), "--key", str(tmp / "key.csv")])


ENTRY_POINTS = {
    "tools.run": lambda tmp: run.main(["--force", "01_introduction"]),
    "tools.site": lambda tmp: site.main(["--out", str(tmp / "site")]),
    "tools.student build": lambda tmp: student.main(["build", "--out", str(tmp / "student")]),
    "tools.student grade": lambda tmp: _grade_one_bad_file(tmp),
    "tools.sweep": lambda tmp: sweep.main(
        ["01_introduction", "notebooks/sweeps/01_introduction.yaml"]
    ),
}


@pytest.mark.parametrize("code", [errno.EROFS, errno.ENOSPC], ids=["read-only", "full disk"])
@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_read_only_and_full_disk_are_one_sentence(
    entry, code, in_project, snapshot, tmp_path, monkeypatch, capsys
):
    monkeypatch.chdir(in_project)
    before = snapshot(in_project)
    _refuse_writes(monkeypatch, code)
    assert ENTRY_POINTS[entry](tmp_path) == 1
    err = capsys.readouterr().err
    expected = "read-only" if code == errno.EROFS else "disk is full"
    assert err.startswith("error: cannot write build/x: ") and expected in err, err
    assert err.count("\n") == 1
    assert snapshot(in_project) == before


def test_write_csv_on_a_full_disk_names_the_file_and_leaves_no_temporary(tmp_path, monkeypatch):
    import pandas as pd

    def full(*args):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "replace", full)
    target = tmp_path / "verdicts" / "x.csv"
    with pytest.raises(data.DataError, match=r"x.csv: cannot write it \(No space left"):
        data.write_csv(pd.DataFrame({"a": [1]}), target)
    assert list(target.parent.iterdir()) == [], "the temporary file was left behind"


# --- interruptions ------------------------------------------------------------------------------


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_site_build_says_so_and_leaves_nothing(
    signum, tmp_path, monkeypatch, capsys
):
    def interrupted(out, student):
        (out / "half").write_text("a page")
        os.kill(os.getpid(), signum)  # Ctrl-C, or kill: the build is half written
        time.sleep(5)

    monkeypatch.setattr(site, "_write", interrupted)
    assert site.main(["--out", str(tmp_path / "site")]) == 128 + signum
    err = capsys.readouterr().err
    assert "Interrupted" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == [], "the edition being built was left behind"


def test_an_interrupted_sweep_says_so_and_leaves_nothing(tmp_path, monkeypatch, capsys):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(run, "execute", interrupted)
    argv = ["01_introduction", "notebooks/sweeps/01_introduction.yaml"]
    monkeypatch.chdir(paths.ROOT)
    assert sweep.main(argv) == 130
    assert "Interrupted" in capsys.readouterr().err
    assert not list(tmp_path.glob("menju-*")), "the sweep's kernel folder was left behind"
