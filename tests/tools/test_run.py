"""The runner: determinism, incremental reruns, atomic writes, clear failures, no network."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import nbformat
import psutil
import pytest

from helpers import paths
from tools import kernels, nbfiles, notebooks, run


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


def test_fingerprint_follows_inputs(tmp_path, monkeypatch):
    """A new data file a notebook reads changes its fingerprint (probed in a copy of data/)."""
    nb = notebooks.by_name("01_introduction")
    monkeypatch.setattr(paths, "DATA", shutil.copytree(paths.DATA, tmp_path / "data"))
    first = run.fingerprint(nb)
    assert first == run.fingerprint(nb)
    probe = paths.DATA / "article" / "zz_fingerprint_probe.csv"
    probe.write_text("x\n1\n")
    assert run.fingerprint(nb) != first, "a new article data file must trigger a rerun"
    probe.unlink()
    assert run.fingerprint(nb) == first


def test_plan_reruns_dependants(monkeypatch):
    stale = {"01_introduction"}
    monkeypatch.setattr(run, "up_to_date", lambda nb: nb.name not in stale)
    names = [nb.name for nb in run.plan()]
    assert "01_introduction" in names
    assert "00_audit_report" in names, "the audit report reads every section's verdicts"
    stale.clear()
    assert run.plan() == []
    assert [nb.name for nb in run.plan(force=True)] == [nb.name for nb in notebooks.existing()]


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
        finally:
            kernels.remove_scratch(folder)
        assert not folder.exists()
        path = make_notebook("print(6 * 7)")
        out = nbformat.read(run.execute(path, output=tmp_path / "o.ipynb"), as_version=4)
        assert out.cells[0].outputs[0]["text"] == "42\n"

    def test_read_only_checkout_is_named_in_one_sentence(self, tmp_path, monkeypatch):
        blocker = tmp_path / "file"
        blocker.write_text("")
        monkeypatch.setattr(run.paths, "BUILD", blocker / "build")
        with pytest.raises(
            run.RunError, match=r"the checkout is read-only; run make in a writable"
        ):
            with run.checkout_lock():
                pass

    def test_two_runs_in_one_checkout_wait_for_each_other(self, project_copy):
        env = {**os.environ, "PYTHONPATH": str(project_copy)}
        cmd = [sys.executable, "-m", "tools.run", "--force", "01_introduction"]
        before = _digests(project_copy)
        procs = [
            subprocess.Popen(cmd, cwd=project_copy, env=env, stdout=subprocess.PIPE, text=True)
            for _ in range(2)
        ]
        outs = [p.communicate(timeout=180)[0] for p in procs]
        assert [p.returncode for p in procs] == [0, 0], outs
        assert any("Another run is in progress" in out for out in outs), outs
        assert _digests(project_copy) == before, "both runs wrote the same, committed bytes"
        leftovers = [
            p.name for p in (project_copy / "notebooks").iterdir() if p.name.startswith(".")
        ]
        assert leftovers == []


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


def _digests(root):
    return {p.name: p.read_bytes() for p in sorted((root / "notebooks").glob("*.ipynb"))}


def test_corrupted_data_fails_before_any_kernel(project_copy):
    table = project_copy / "data" / "article" / "table1_sister_affiliations.csv"
    table.write_text(table.read_text().replace(",430\n", ",4x0\n"))
    before = _digests(project_copy)
    env = {**os.environ, "PYTHONPATH": str(project_copy)}
    result = subprocess.run(
        [sys.executable, "-m", "tools.run", "--force"],
        cwd=project_copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "table1_sister_affiliations.csv: row 3, column 'count'" in result.stderr
    assert "ran " not in result.stdout, "a kernel ran despite bad data"
    assert _digests(project_copy) == before


def _kernel_running(pid: int) -> bool:
    """A kernel is up: the runner has started a child process."""
    return bool(psutil.Process(pid).children(recursive=True))


class TestInterrupts:
    @pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
    def test_interrupted_run_leaves_notebooks_identical(self, project_copy, signum):
        # in the scratch copy, notebook 01 first sleeps: the signal surely lands mid-run
        target = project_copy / "notebooks" / "01_introduction.ipynb"
        nb = nbformat.read(target, as_version=4)
        nb.cells.insert(0, nbformat.v4.new_code_cell("import time\ntime.sleep(120)"))
        nbformat.write(nb, target)
        before = _digests(project_copy)
        scratch = project_copy.parent / "tmp"  # the run's TMPDIR: it must be left empty
        scratch.mkdir()
        env = {**os.environ, "PYTHONPATH": str(project_copy), "TMPDIR": str(scratch)}
        proc = subprocess.Popen(
            [sys.executable, "-m", "tools.run", "--force", "01_introduction"],
            cwd=project_copy,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.time() + 60
        while time.time() < deadline and not _kernel_running(proc.pid):
            time.sleep(0.1)
        time.sleep(1)  # the kernel is now in the sleeping cell
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 128 + signum
        assert "committed notebooks are unchanged" in err
        assert _digests(project_copy) == before
        folder = project_copy / "notebooks"
        assert [p.name for p in folder.iterdir() if p.name.startswith(".")] == []
        assert list(scratch.iterdir()) == [], "kernel keys and sockets were left behind"


def test_run_all_waits_for_dependencies_and_warms_meanwhile(monkeypatch):
    events = []

    def fake_timed(nb, timeout, workdir, kernel):
        events.append(("start", nb.name, kernel.result()))
        time.sleep(0.3)
        events.append(("end", nb.name, kernel.result()))
        return 0.3

    monkeypatch.setattr(run, "_timed", fake_timed)
    monkeypatch.setattr(kernels, "warm_kernel", lambda workdir, committed=False: "warm-km")
    monkeypatch.setattr(run, "mark_done", lambda nb: None)
    monkeypatch.setattr(kernels, "shutdown", lambda km: None)
    todo = [notebooks.by_name("00_audit_report"), notebooks.by_name("01_introduction")]
    run.run_all(todo, jobs=2)
    assert events.index(("start", "00_audit_report", "warm-km")) > events.index(
        ("end", "01_introduction", "warm-km")
    ), events


def _schedule_with(monkeypatch, todo, fails=()):
    """Run the scheduler with fake notebook runs; return (errors, kernels stopped unused)."""
    from concurrent.futures import Future, ThreadPoolExecutor

    def fake_timed(nb, timeout, workdir, kernel):
        if nb.name in fails:
            raise run.RunError(f"{nb.name}: cell 3 raised ValueError")
        return 0.0

    stopped = []
    monkeypatch.setattr(run, "_timed", fake_timed)
    monkeypatch.setattr(run, "mark_done", lambda nb: None)
    monkeypatch.setattr(kernels, "shutdown", stopped.append)
    warming = {}
    for nb in todo:
        warming[nb.name] = Future()
        warming[nb.name].set_result(f"km-{nb.name}")
    with ThreadPoolExecutor(2) as pool:
        errors = run._schedule(todo, 2, warming, pool, 10, None)
    return errors, stopped


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


def test_warm_kernels_are_ordinary_children_and_stop(tmp_path):
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


def test_only_the_runners_kernels_may_write_committed_results(tmp_path):
    from jupyter_core.utils import run_sync

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


def test_a_run_outside_make_leaves_the_committed_results_alone(project_copy):
    """The README's papermill command without derived_dir writes under build/derived/."""
    committed = project_copy / "data" / "derived" / "verdicts" / "01_introduction.csv"
    before = committed.read_bytes()
    committed.write_bytes(before + b"# marker: a run outside make must not replace this file\n")
    marked = committed.read_bytes()
    env = {**os.environ, "PYTHONPATH": str(project_copy)}
    env.pop(paths.COMMITTED_RESULTS, None)
    result = subprocess.run(
        [sys.executable, "-m", "papermill", "01_introduction.ipynb", str(project_copy / "o.ipynb")],
        cwd=project_copy / "notebooks",
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert committed.read_bytes() == marked, "a run outside make replaced data/derived"
    written = project_copy / "build" / "derived" / "verdicts" / "01_introduction.csv"
    assert written.read_bytes() == before, "the run's verdicts went to build/derived/"


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
