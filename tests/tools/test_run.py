"""The runner: all-or-nothing runs, incremental reruns, clear failures, locks, interrupts.

The mechanics run on tiny notebooks in a temporary copy of the project (``tiny_project``), as
papermill and nbclient test theirs; the committed notebooks are only read here (nbval runs them).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading
import time

import nbformat
import psutil
import pytest

from helpers import paths
from tools import checks, kernels, nbfiles, notebooks, run


def test_normalise_strips_volatile_metadata():
    nb = nbformat.v4.new_notebook()
    nb.metadata["papermill"] = {"duration": 1.2}
    nb.metadata["language_info"] = {"name": "python", "version": "3.11.2"}
    cell = nbformat.v4.new_code_cell("1")
    cell.metadata["execution"] = {"iopub.status.busy": "2026-01-01"}
    cell.metadata["papermill"] = {"duration": 0.1}
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell, nbformat.v4.new_markdown_cell("x")]
    out = nbfiles.normalise(nb)
    assert "papermill" not in out.metadata
    assert out.metadata["language_info"] == {"name": "python"}, "no interpreter version"
    assert out.cells[0].metadata == {"tags": ["parameters"]}
    assert [c.id for c in out.cells] == ["cell-00", "cell-01"]


def test_committed_notebooks_are_clean():
    """What readers see: executed, no timing metadata, no stderr, no absolute paths."""
    for nb in notebooks.existing():
        text = nb.path.read_text()
        assert str(paths.ROOT) not in text and "/tmp/" not in text, nb.name
        parsed = nbformat.reads(text, as_version=4)
        assert "papermill" not in parsed.metadata
        assert parsed.metadata.kernelspec.name == "python3"
        for cell in parsed.cells:
            assert "execution" not in cell.metadata
            if cell.cell_type == "code" and cell.source.strip():
                assert cell.execution_count is not None, f"{nb.name}: unexecuted cell"
                for output in cell.outputs:
                    assert output.output_type != "error", nb.name
                    assert output.get("name") != "stderr", nb.name


def test_every_notebook_has_the_skeleton():
    for nb in notebooks.existing():
        parsed = nbformat.read(nb.path, as_version=4)
        tags = [t for c in parsed.cells for t in c.metadata.get("tags", [])]
        text = "\n".join(c.source for c in parsed.cells if c.cell_type == "markdown")
        assert tags.count("parameters") == 1, nb.name
        assert "solution" in tags, nb.name
        for heading in ("## Overview", "## Prerequisites", "## Discussion", "## Exercises"):
            assert heading in text, f"{nb.name} lacks {heading}"
        assert "Time to learn" in text or "time to learn" in text.lower(), nb.name
        assert any(
            "image/png" in o.get("data", {}) for c in parsed.cells for o in c.get("outputs", [])
        ), nb.name


# --- a project of tiny notebooks -------------------------------------------------------------

# Section 01 writes a verdict file into the run's results; 02 does too (or fails); the audit
# report 00 reads 01's file back, as the real report reads every section's verdicts.
WRITE = (
    "from helpers import data, paths\n"
    "target = paths.results_dir() / 'verdicts' / '{name}.csv'\n"
    "data.write_atomically(target, lambda p: p.write_text('claim_id,verdict\\nT,{verdict}\\n'))\n"
    "print('wrote', paths.relative(target))"
)
READ = (
    "from helpers import paths\n"
    "print((paths.DERIVED / 'verdicts' / '01_introduction.csv').read_text())"
)


@pytest.fixture
def tiny_project(in_project, make_notebook, monkeypatch):
    """The project copy with tiny notebooks 00, 01 and 02 in place of the real ones; kernels
    are warmed with one import only. Returns a function that rewrites one notebook's cells."""
    folder = paths.NOTEBOOKS
    for path in folder.glob("*.ipynb"):
        path.unlink()

    def write(name: str, *cells: str):
        make_notebook(*cells, name=name, folder=folder)

    write("01_introduction", WRITE.format(name="01_introduction", verdict="tiny"))
    write("02_historical_perspective", WRITE.format(name="02_historical_perspective", verdict="t"))
    write("00_audit_report", READ)
    monkeypatch.setattr(kernels, "PRELOAD", "import helpers.paths")
    return write


class TestTransaction:
    """A run commits every notebook and derived file, or none."""

    def test_a_run_commits_every_result_with_its_mode(self, tiny_project):
        root = paths.ROOT
        verdicts = paths.DERIVED / "verdicts"
        (verdicts / "01_introduction.csv").chmod(0o664)  # a group-writable checkout stays so
        (verdicts / "02_historical_perspective.csv").unlink()  # a new file: the umask's mode
        run.run_all(run.plan(), jobs=2, timeout=60)
        assert (verdicts / "01_introduction.csv").read_text() == "claim_id,verdict\nT,tiny\n"
        assert (verdicts / "01_introduction.csv").stat().st_mode & 0o777 == 0o664
        new = verdicts / "02_historical_perspective.csv"
        assert new.read_text() == "claim_id,verdict\nT,t\n"
        assert new.stat().st_mode & 0o777 == 0o666 & ~_umask()
        report = nbformat.read(root / "notebooks" / "00_audit_report.ipynb", as_version=4)
        assert report.cells[0].outputs[0]["text"] == "claim_id,verdict\nT,tiny\n\n", (
            "the audit report reads the verdicts of its own run"
        )
        for path in (root / "notebooks").glob("*.ipynb"):
            assert path.stat().st_mode & 0o777 == 0o666 & ~_umask(), path.name
        assert run.plan() == [], "every notebook of the run is stamped"
        assert not list(paths.BUILD.glob(".run-*")), "the staged copy is removed"
        for folder in (verdicts, root / "notebooks"):
            assert [p.name for p in folder.iterdir() if p.name.startswith(".")] == []

    def test_a_mid_run_failure_leaves_every_committed_file_byte_identical(
        self, tiny_project, snapshot
    ):
        root = paths.ROOT
        # the committed state is the copy as it stands: no run commits the tiny notebooks first
        # (the test above shows a run commits), and 01's committed verdicts are not "new" either
        tiny_project("01_introduction", WRITE.format(name="01_introduction", verdict="new"))
        tiny_project("02_historical_perspective", "raise ValueError('a corrupted value')")
        before = snapshot(root)
        with pytest.raises(run.RunError) as caught:
            run.run_all(run.plan(), jobs=2, timeout=60)
        message = str(caught.value)
        assert "02_historical_perspective: cell 0 (execution count 1) raised ValueError" in message
        assert "00_audit_report: not run, a notebook it depends on failed" in message
        assert "Nothing was committed" in message
        assert snapshot(root) == before, "01 succeeded, yet nothing of the run is committed"
        assert (paths.BUILD / "failed" / "02_historical_perspective.ipynb").exists()
        assert not list(paths.BUILD.glob(".run-*")), "the staged copy is removed"
        assert {nb.name for nb in run.plan()} == {
            "00_audit_report",
            "01_introduction",
            "02_historical_perspective",
        }, "nothing of the failed run is stamped"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


class TestStaleness:
    def test_every_input_outside_derived_makes_every_notebook_stale(self, in_project):
        """No hand-kept list decides a rerun: data/ (not derived/), helpers/ and the lock."""
        existing = notebooks.existing()
        for nb in existing:
            run.mark_done(nb)
        assert run.plan() == []
        edits = [
            paths.ARTICLE / "bibliography.csv",
            paths.EXTERNAL / "jet_participants_by_fy.csv",
            paths.EXTERNAL / "PROVENANCE.md",
            paths.ROOT / "helpers" / "plotting.py",
            paths.ROOT / "requirements.txt",
        ]
        for path in edits:
            original = path.read_bytes()
            path.write_bytes(original + b"\n")
            assert run.plan() == list(existing), f"an edit of {path.name} must rerun everything"
            path.write_bytes(original)
        probe = paths.ARTICLE / "zz_new_file.csv"
        probe.write_text("x\n1\n")
        assert run.plan() == list(existing), "a new data file must rerun everything"
        probe.unlink()
        (paths.DERIVED / "claim_summary.csv").write_text("an output, not an input\n")
        assert run.plan() == [], "data/derived/ holds outputs: editing them reruns nothing"

    def test_plan_reruns_dependants(self, monkeypatch):
        stale = {"01_introduction"}
        monkeypatch.setattr(run, "up_to_date", lambda nb: nb.name not in stale)
        names = [nb.name for nb in run.plan()]
        assert "01_introduction" in names
        assert "00_audit_report" in names, "the audit report reads every section's verdicts"
        stale.clear()
        assert run.plan() == []
        assert [nb.name for nb in run.plan(force=True)] == [nb.name for nb in notebooks.existing()]


def test_corrupted_data_fails_before_any_kernel(in_project, monkeypatch, capsys, snapshot):
    table = paths.ARTICLE / "table1_sister_affiliations.csv"
    table.write_text(table.read_text().replace(",430\n", ",4x0\n"))
    before = snapshot(in_project)
    started = []
    monkeypatch.setattr(kernels, "warm_kernel", lambda *a, **k: started.append(a))
    assert run.main(["--force"]) == 1
    err = capsys.readouterr().err
    assert "table1_sister_affiliations.csv: row 3, column 'count'" in err
    assert started == [], "a kernel started despite bad data"
    assert snapshot(in_project) == before


class TestFailuresNameTheCell:
    """A failed run names notebook and cell, and keeps its partial notebook where it says."""

    def test_cell_timeout_names_notebook_cell_and_limit(self, tmp_path, make_notebook):
        path = make_notebook("print('before')", "import time\ntime.sleep(60)")
        failed = tmp_path / "failed"
        with pytest.raises(run.RunError) as caught:
            run.execute(path, output=tmp_path / "out.ipynb", timeout=1, failed_dir=failed)
        message = str(caught.value)
        assert message.startswith("tiny: cell 1 did not finish within the 1 s limit")
        assert "make TIMEOUT=" in message and "committed notebook is unchanged" in message
        assert f"failed copy is at {failed / 'tiny.ipynb'}" in message
        kept = nbformat.read(failed / "tiny.ipynb", as_version=4)
        assert kept.cells[0].outputs[0]["text"] == "before\n", "the partial outputs are kept"
        assert not (tmp_path / "out.ipynb").exists()

    def test_kernel_crash_names_notebook_and_cell(self, tmp_path, make_notebook):
        path = make_notebook("x = 1", "import os\nos._exit(1)", name="crash")
        failed = tmp_path / "failed"
        with pytest.raises(run.RunError, match=r"crash: the kernel died while running cell 1"):
            run.execute(path, output=tmp_path / "out.ipynb", timeout=60, failed_dir=failed)
        assert (failed / "crash.ipynb").exists(), "a dead-kernel run keeps its partial copy"

    def test_unwritable_failed_folder_is_named_not_a_traceback(self, tmp_path, make_notebook):
        path = make_notebook("1 / 0", name="oops")
        blocker = tmp_path / "file"
        blocker.write_text("not a folder")
        with pytest.raises(
            run.RunError, match=r"oops: cell 0 .*ZeroDivisionError.*could not be kept"
        ):
            run.execute(path, output=tmp_path / "out.ipynb", failed_dir=blocker / "failed")


class TestScratchAndLocks:
    def test_long_tmpdir_gets_short_socket_folders(self, tmp_path, monkeypatch, make_notebook):
        long_dir = tmp_path / ("x" * 80)
        long_dir.mkdir()
        monkeypatch.setattr(tempfile, "tempdir", str(long_dir))
        folder = kernels.scratch_dir("menju-test-")
        try:
            assert len(str(folder)) < 60 and oct(folder.stat().st_mode)[-3:] == "700"
            assert folder.name.startswith(f"menju-test-{os.getpid()}-"), "its owner is named"
        finally:
            kernels.remove_scratch(folder)
        assert not folder.exists()
        path = make_notebook("print(6 * 7)")
        out = nbformat.read(run.execute(path, output=tmp_path / "o.ipynb"), as_version=4)
        assert out.cells[0].outputs[0]["text"] == "42\n"

    def test_folders_of_dead_processes_are_removed(self, tmp_path, monkeypatch):
        monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
        monkeypatch.setattr(paths, "BUILD", tmp_path / "build")
        dead = subprocess.Popen([sys.executable, "-c", "pass"])
        dead.wait()
        stale = [
            tmp_path / f"menju-run-{dead.pid}-abc",
            tmp_path / "build" / f".site.{dead.pid}-abc",
            tmp_path / "build" / f".student.{dead.pid}-abc.old",
            tmp_path / "build" / f".run-{dead.pid}-abc",
        ]
        live = [tmp_path / f"menju-run-{os.getpid()}-abc", tmp_path / "build" / "site"]
        for folder in stale + live:
            (folder / "kernel").mkdir(parents=True)
        assert sorted(kernels.remove_stale()) == sorted(stale)
        assert all(folder.exists() for folder in live)

    def test_read_only_checkout_is_named_in_one_sentence(self, tmp_path, monkeypatch):
        blocker = tmp_path / "file"
        blocker.write_text("")
        monkeypatch.setattr(run.paths, "BUILD", blocker / "build")
        with pytest.raises(
            run.RunError, match=r"the checkout is read-only; run make in a writable"
        ):
            with run.checkout_lock():
                pass

    def test_a_second_run_waits_for_the_first_and_says_so(self, tmp_path, monkeypatch, capsys):
        monkeypatch.setattr(paths, "BUILD", tmp_path / "build")
        events = []

        def second():
            with run.checkout_lock():
                events.append("second has the lock")

        with run.checkout_lock():
            waiting = threading.Thread(target=second)
            waiting.start()
            time.sleep(0.5)
            events.append("first releases")
        waiting.join(10)
        assert events == ["first releases", "second has the lock"]
        assert "Another run is in progress" in capsys.readouterr().out


class TestIsolation:
    """Kernels open no port beyond loopback and reach no network."""

    def test_kernels_use_ipc_and_listen_on_loopback_only(self, tmp_path, make_notebook):
        # ipykernel keeps one loopback TCP pipe for output from forked subprocesses
        path = make_notebook(
            "from ipykernel.kernelapp import IPKernelApp\nprint(IPKernelApp.instance().transport)",
            "import psutil\n"
            "print(sorted({c.laddr.ip for c in psutil.Process().net_connections(kind='inet')}))",
        )
        out = nbformat.read(run.execute(path, output=tmp_path / "out.ipynb"), as_version=4)
        assert out.cells[0].outputs[0]["text"].strip() == "ipc"
        assert out.cells[1].outputs[0]["text"].strip() in ("[]", "['127.0.0.1']")

    def test_notebooks_cannot_reach_the_network(self, tmp_path, make_notebook):
        """The suite's kernels run with a guard (conftest); prove the guard bites."""
        path = make_notebook("import socket\nsocket.create_connection(('192.0.2.1', 80), 1)")
        with pytest.raises(run.RunError, match="network request from a notebook"):
            run.execute(path, output=tmp_path / "out.ipynb", failed_dir=tmp_path)


def _kernel_running(pid: int) -> bool:
    """A kernel is up: the runner has started a child process."""
    return bool(psutil.Process(pid).children(recursive=True))


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_run_changes_nothing_and_leaves_nothing(
    project_copy, signum, snapshot, copy_env
):
    """The process's own behaviour, so a real process: a tiny notebook sleeps, a signal lands."""
    folder = project_copy / "notebooks"
    kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": kernelspec})
    nb.cells = [nbformat.v4.new_code_cell("import time\ntime.sleep(120)")]
    nbformat.write(nb, folder / "01_introduction.ipynb")
    before = snapshot(project_copy)
    scratch = project_copy.parent / "tmp"  # the run's TMPDIR: it must be left empty
    scratch.mkdir()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tools.run", "--force", "01_introduction"],
        cwd=project_copy,
        env={**copy_env(project_copy), "TMPDIR": str(scratch)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.time() + 60
    while time.time() < deadline and not _kernel_running(proc.pid):
        time.sleep(0.1)
    time.sleep(1)  # the kernel is now warming or in the sleeping cell
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signum
    assert "Interrupted" in err and "nothing was committed" in err and "Traceback" not in err
    assert snapshot(project_copy) == before
    assert not list((project_copy / "build").glob(".run-*")), "the staged copy was left behind"
    assert list(scratch.iterdir()) == [], "kernel keys and sockets were left behind"


def _schedule_with(monkeypatch, todo, fails=(), seconds=0.0, events=None):
    """Run the scheduler with fake notebook runs; return (errors, kernels stopped unused)."""
    from concurrent.futures import Future, ThreadPoolExecutor

    def fake_run(nb, kernel):
        if events is not None:
            events.append(("start", nb.name, kernel.result()))
        if nb.name in fails:
            raise run.RunError(f"{nb.name}: cell 3 raised ValueError")
        time.sleep(seconds)
        if events is not None:
            events.append(("end", nb.name, kernel.result()))
        return seconds

    stopped = []
    monkeypatch.setattr(kernels, "shutdown", stopped.append)
    warming = {}
    for nb in todo:
        warming[nb.name] = Future()
        warming[nb.name].set_result(f"km-{nb.name}")
    with ThreadPoolExecutor(2) as pool:
        errors = run._schedule(todo, 2, warming, pool, fake_run)
    return errors, stopped


def test_the_report_waits_for_the_sections(monkeypatch):
    events = []
    todo = [notebooks.by_name("00_audit_report"), notebooks.by_name("01_introduction")]
    _schedule_with(monkeypatch, todo, seconds=0.3, events=events)
    assert events.index(("start", "00_audit_report", "km-00_audit_report")) > events.index(
        ("end", "01_introduction", "km-01_introduction")
    ), events


def test_a_failed_notebook_skips_those_waiting_for_it(monkeypatch):
    todo = [notebooks.by_name("00_audit_report"), notebooks.by_name("01_introduction")]
    errors, stopped = _schedule_with(monkeypatch, todo, fails={"01_introduction"})
    assert errors == [
        "01_introduction: cell 3 raised ValueError",
        "00_audit_report: not run, a notebook it depends on failed",
    ]
    assert stopped == ["km-00_audit_report"], "the unused kernel was left running"


def test_notebooks_waiting_on_each_other_fail_instead_of_hanging(monkeypatch):
    import dataclasses

    first, second = (
        notebooks.by_name("01_introduction"),
        notebooks.by_name("02_historical_perspective"),
    )
    todo = [
        dataclasses.replace(first, after=(second.name,)),
        dataclasses.replace(second, after=(first.name,)),
    ]
    errors, stopped = _schedule_with(monkeypatch, todo)
    assert len(errors) == 2 and all("in a cycle" in e for e in errors), errors
    assert sorted(stopped) == ["km-01_introduction", "km-02_historical_perspective"]


def test_normalise_merges_split_prints():
    cell = nbformat.v4.new_code_cell("print(1); print(2)")
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="1\n"),
        nbformat.v4.new_output("stream", name="stdout", text="2\n"),
        nbformat.v4.new_output("stream", name="stderr", text="w\n"),
    ]
    nb = nbformat.v4.new_notebook()
    nb.cells = [cell]
    out = nbfiles.normalise(nb)
    assert [(o["name"], o["text"]) for o in out.cells[0].outputs] == [
        ("stdout", "1\n2\n"),
        ("stderr", "w\n"),
    ]


def test_warm_kernels_are_ordinary_children_and_stop(tmp_path, monkeypatch):
    monkeypatch.setattr(
        kernels, "PRELOAD", "import helpers.paths"
    )  # what is warmed is not the point
    km = kernels.warm_kernel(tmp_path)
    kernel = psutil.Process(km.provisioner.pid)
    assert kernel.ppid() == os.getpid(), "the kernel is not this process's own child"
    kernels.shutdown(km)
    assert not psutil.pid_exists(kernel.pid) or kernel.status() == psutil.STATUS_ZOMBIE


def _imported_modules(source: str) -> set[str]:
    """Modules a cell imports; ``from helpers import a`` counts as helpers.a."""
    import ast

    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module == "helpers":
            found |= {f"helpers.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            found.add(node.module)
    return found


def test_warm_kernels_import_what_the_notebooks_import():
    """Every non-standard module a notebook imports is preloaded (and the floor imports it)."""
    import json

    preloaded = kernels.NOTEBOOK_IMPORTS
    missing = set()
    for nb in notebooks.existing():
        for cell in json.loads(nb.path.read_text())["cells"]:
            if cell["cell_type"] != "code":
                continue
            for module in _imported_modules("".join(cell["source"])):
                if module.split(".")[0] in sys.stdlib_module_names:
                    continue
                if not any(m == module or m.startswith(module + ".") for m in preloaded):
                    missing.add(f"{nb.name}: {module}")
    assert not missing, f"add to tools.kernels.NOTEBOOK_IMPORTS: {sorted(missing)}"


def test_only_the_runners_kernels_may_write_committed_results(tmp_path, monkeypatch):
    from jupyter_core.utils import run_sync

    monkeypatch.setattr(kernels, "PRELOAD", "import helpers.paths")

    for committed, expected in ((True, "1"), (False, "0")):
        km = kernels.warm_kernel(tmp_path, committed)
        try:
            kc = km.client()
            kc.start_channels()
            seen = []
            run_sync(kc.execute_interactive)(
                f"import os; print(os.environ['{paths.COMMITTED_RESULTS}'])",
                output_hook=lambda m, out=seen: out.append(m["content"].get("text", "")),
                timeout=30,
            )
            kc.stop_channels()
        finally:
            kernels.shutdown(km)
        assert "".join(seen).strip() == expected


def test_a_run_outside_make_leaves_the_committed_results_alone(make_notebook, tmp_path):
    """papermill, JupyterLab or nbval without make write their results under build/derived/."""
    committed = paths.DERIVED / "verdicts" / "01_introduction.csv"
    before = committed.read_bytes()
    name = f"outside-make-{os.getpid()}-{time.monotonic_ns()}"
    path = make_notebook(WRITE.format(name=name, verdict="outside"))
    env = os.environ.pop(paths.COMMITTED_RESULTS, None)
    try:
        run.execute(path, output=tmp_path / "out.ipynb")
    finally:
        if env is not None:
            os.environ[paths.COMMITTED_RESULTS] = env
    written = paths.BUILD / "derived" / "verdicts" / f"{name}.csv"
    assert written.read_text() == "claim_id,verdict\nT,outside\n"
    assert not (paths.DERIVED / "verdicts" / f"{name}.csv").exists()
    assert committed.read_bytes() == before
    written.unlink()


def test_helpers_holds_only_what_notebooks_import():
    """Two rooms: every module of helpers/ is imported by some notebook (the rest is tools/)."""
    import json

    imported = set()
    for nb in notebooks.existing():
        for cell in json.loads(nb.path.read_text())["cells"]:
            if cell["cell_type"] == "code":
                imported |= _imported_modules("".join(cell["source"]))
    for module in sorted(m for m in imported if m.startswith("helpers.")):  # and what they import
        source = (paths.ROOT / "helpers" / f"{module.split('.')[1]}.py").read_text()
        imported |= _imported_modules(source)  # (helpers.plotting reads helpers.colours)
    modules = {f"helpers.{p.stem}" for p in (paths.ROOT / "helpers").glob("*.py")}
    assert modules - {"helpers.__init__"} - imported == set()


@pytest.mark.parametrize(
    "argv, said",
    [
        (["01_introduction", "-p", "tolerance", "0.9"], "got 0.9. No kernel was started"),
        (["01_introduction", "-p", "tolerence", "0.1"], "'tolerence' is not a parameter"),
        (["-p", "tolerance", "0.1"], "-p runs exactly one notebook"),
    ],
)
def test_a_run_with_parameters_is_checked_before_any_kernel(argv, said, tmp_path, capsys):
    out = tmp_path / "out.ipynb"
    assert run.main([*argv, "--out", str(out)]) in (1, 2)
    assert said in capsys.readouterr().err
    assert not out.exists()


def test_the_checks_see_every_helpers_module():
    assert checks.check_code() is None
