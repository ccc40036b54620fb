"""Execute notebooks with papermill: in parallel, incrementally, all or nothing, over IPC.

``python -m tools.run`` (what ``make`` calls) runs every registered notebook that is stale, in
reading-order dependencies, on as many kernels as there are cores, from one process so the
~3 s import of nbformat/papermill is paid once.

A run is a transaction. Its kernels work in a staged copy of the project's inputs
(``build/.run-<pid>-*/``: helpers/, data/, notebooks/): every executed notebook and every
derived file lands there, and all of them are moved into the checkout only when every notebook
of the run succeeded, the audit report included. A failure or an interruption leaves every
committed notebook and data/derived file as it was; the partial notebook is kept under
``build/failed/`` and the message names the notebook and the cell.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import hashlib
import json
import os
import shutil
import signal
import sys
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from pathlib import Path

from helpers import data, paths
from tools import checks, cli, kernels, nbfiles, notebooks

STAMPS = paths.BUILD / "stamps"
FAILED = paths.BUILD / "failed"
DEFAULT_TIMEOUT = 300  # seconds per cell; the slowest cell here takes about 2 s


class RunError(RuntimeError):
    """A notebook failed: names the notebook, the cell and what went wrong."""


# --- incremental runs --------------------------------------------------------------------


def inputs() -> list[Path]:
    """What every notebook may read: data/ except the outputs in data/derived/, all of
    helpers/ (notebooks import it) and the lock. Any change there makes every notebook stale:
    no hand-kept list of what each notebook reads decides a rerun."""
    found = [p for p in paths.DATA.rglob("*") if not p.is_relative_to(paths.DATA / "derived")]
    found += [p for p in (paths.ROOT / "helpers").rglob("*") if "__pycache__" not in p.parts]
    return sorted(p for p in [*found, paths.ROOT / "requirements.txt"] if p.is_file())


def read_cells(path: Path) -> list[dict]:
    """A notebook's cells; a file that is not notebook JSON is named in one sentence."""
    shown = paths.relative(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))["cells"]
    except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError) as exc:
        raise RunError(
            f"{shown} is not a valid notebook ({exc}); restore it with "
            f"`git checkout -- {shown}`, or repair the edit. No kernel was started."
        ) from None
    except OSError as exc:
        raise RunError(f"{shown} cannot be read ({exc.strerror}).") from None


def fingerprint(nb: notebooks.Notebook) -> str:
    """Hash of what a notebook's output depends on: its cells and every input (see ``inputs``)."""
    digest = hashlib.sha256()
    for cell in read_cells(nb.path):  # outputs excluded: executing must not invalidate the stamp
        tags = cell.get("metadata", {}).get("tags", [])
        digest.update(json.dumps([cell["cell_type"], cell["source"], tags]).encode())
    for path in inputs():
        digest.update(paths.relative(path).encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _stamp_text(nb: notebooks.Notebook, prints: str | None = None) -> str:
    # inputs, plus the executed file itself: a notebook edited or cleared since is rerun
    prints = prints or fingerprint(nb)
    return f"{prints}\n{hashlib.sha256(nb.path.read_bytes()).hexdigest()}\n"


def up_to_date(nb: notebooks.Notebook) -> bool:
    stamp = STAMPS / f"{nb.name}.sha256"
    return stamp.exists() and stamp.read_text() == _stamp_text(nb)


def mark_done(nb: notebooks.Notebook, prints: str | None = None) -> None:
    """Stamp ``nb`` as run on the inputs of ``prints`` (taken before the run started)."""
    STAMPS.mkdir(parents=True, exist_ok=True)
    (STAMPS / f"{nb.name}.sha256").write_text(_stamp_text(nb, prints))


# --- execution ---------------------------------------------------------------------------


def execute(
    nb: notebooks.Notebook | str | Path,
    *,
    parameters: dict | None = None,
    output: Path | None = None,
    timeout: int = DEFAULT_TIMEOUT,
    workdir: Path | None = None,
    km=None,
    failed_dir: Path | None = None,
) -> Path:
    """Run one notebook; write the normalised result to ``output`` (default: in place).

    The result is written to a temporary file first and moved into place only on success.
    ``km`` is an already started kernel (see ``warm_kernel``); the caller shuts it down. A run
    that fails (an error, a timeout, a dead kernel) keeps its partial notebook in
    ``failed_dir`` (default ``build/failed/``) and says where.
    """
    nbfiles.skip_slow_validator()
    import papermill
    from papermill.exceptions import PapermillExecutionError

    source = nb.path if isinstance(nb, notebooks.Notebook) else Path(nb)
    name = source.stem
    problem = parameters and checks.parameter_problem(source, parameters)
    if problem:
        raise RunError(f"{name}: {problem} No kernel was started; the notebook is unchanged.")
    target = Path(output) if output else source
    own_workdir = workdir is None
    workdir = kernels.scratch_dir("menju-run-") if own_workdir else Path(workdir)
    current = {"index": None, "nb": None}

    def on_notebook_start(notebook):
        current["nb"] = notebook  # the notebook as it executes, outputs so far: kept on failure

    def on_cell_start(cell, cell_index):
        current["index"] = cell_index

    try:
        # papermill needs an output path; the file there is scratch (the result is `executed`)
        executed = papermill.execute_notebook(
            str(source),
            str(workdir / f"{name}.ipynb"),
            parameters=parameters or None,
            kernel_name="python3",
            progress_bar=False,
            request_save_on_cell_execute=False,
            execution_timeout=timeout,
            on_notebook_start=on_notebook_start,
            on_cell_start=on_cell_start,
            # outputs are collected: kill the kernel it started (asking can take 2.5 s)
            shutdown_kernel="immediate",
            **(
                {"km": km}
                if km is not None
                else {"kernel_manager_class": kernels.ipc_kernel_manager(workdir)}
            ),
        )
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            raise
        detail = _describe_failure(exc, current["index"], timeout, PapermillExecutionError)
        where = _keep_failed(current["nb"], name, failed_dir or FAILED)
        raise RunError(f"{name}: {detail}{where}. The committed notebook is unchanged.") from None
    else:
        _replace(target, nbfiles.normalise(executed))
    finally:
        if own_workdir:
            kernels.remove_scratch(workdir)
    return target


def _replace(target: Path, nb) -> None:
    """Write ``nb`` beside ``target``, then move it into place (its mode kept)."""
    try:
        data.write_atomically(target, lambda path: nbfiles.write_notebook(nb, path))
    except OSError as exc:
        problem = cli.write_problem(exc) or f"cannot write it ({exc.strerror})"
        raise RunError(f"{paths.relative(target)}: {problem} Pass another output path.") from None


def _describe_failure(exc: BaseException, cell_index, timeout: int, execution_error) -> str:
    if isinstance(exc, execution_error):
        return f"cell {exc.cell_index} (execution count {exc.exec_count}) raised {exc.ename}: " + (
            exc.evalue.strip()
        )
    cell = f"cell {cell_index}" if cell_index is not None else "before the first cell"
    kind = type(exc).__name__
    if kind == "CellTimeoutError":
        return f"{cell} did not finish within the {timeout} s limit (make TIMEOUT=... sets it)"
    if kind == "DeadKernelError":
        return f"the kernel died while running {cell}"
    return f"{kind} while running {cell}: {exc}"


def _keep_failed(partial, name: str, folder: Path) -> str:
    """Save the partial notebook; return the clause that says where (or why it could not)."""
    if partial is None:  # it failed before its first cell: nothing ran to keep
        return ""
    kept = Path(folder) / f"{name}.ipynb"
    try:
        kept.parent.mkdir(parents=True, exist_ok=True)
        nbfiles.write_notebook(partial, kept)
    except OSError as exc:
        return f"; the failed copy could not be kept in {_shown(folder)} ({exc.strerror})"
    return f"; the failed copy is at {_shown(kept)}"


def _shown(path: Path) -> str:
    """A path for a message: relative inside the project, in full outside it."""
    path = Path(path).resolve()
    return path.relative_to(paths.ROOT).as_posix() if path.is_relative_to(paths.ROOT) else str(path)


def plan(names=None, force: bool = False) -> list[notebooks.Notebook]:
    """The notebooks to run, in reading order (dependencies are honoured by ``run_all``)."""
    chosen = [notebooks.by_name(n) for n in names] if names else list(notebooks.existing())
    if force:
        return chosen
    stale = [nb for nb in chosen if not up_to_date(nb)]
    # A notebook waiting on one that reruns must rerun too: its inputs will change.
    stale_names = {nb.name for nb in stale}
    for nb in chosen:
        if nb.name not in stale_names and stale_names & set(nb.after):
            stale.append(nb)
            stale_names.add(nb.name)
    return [nb for nb in chosen if nb.name in stale_names]


def run_all(todo: list[notebooks.Notebook], jobs: int, timeout: int = DEFAULT_TIMEOUT) -> None:
    """Run notebooks on ``jobs`` kernels at once, each after those it depends on; commit all
    of their results, or none.

    Every notebook's kernel is an ordinary ipykernel, started at the outset and warmed by
    importing the notebooks' libraries (as Voila's pre-started kernel pool does): a starting
    kernel mostly waits on imports and handshakes, so when a notebook's turn comes (the audit
    report waits for every section) only its cells remain.
    """
    if not todo:
        print("All notebooks are up to date.")
        return
    checks.check_code()  # a broken helpers/ module: named once, before any kernel starts
    checks.validate_all()  # a corrupted file stops the run before any kernel starts
    prints = {nb.name: fingerprint(nb) for nb in todo}  # the inputs this run reads
    kernels.prepare_environment()
    nbfiles.skip_slow_validator()
    start = time.perf_counter()
    with contextlib.ExitStack() as stack:
        workdir = kernels.scratch_dir("menju-run-")
        stack.callback(kernels.remove_scratch, workdir)
        stage = kernels.scratch_dir(".run-", base=paths.BUILD)
        stack.callback(kernels.remove_scratch, stage)
        stage_project(stage)
        starter = stack.enter_context(ThreadPoolExecutor(max_workers=len(todo)))
        warming = {
            nb.name: starter.submit(kernels.warm_kernel, workdir, True, stage) for nb in todo
        }
        pool = stack.enter_context(ThreadPoolExecutor(max_workers=jobs))
        # papermill is imported here, once, while the kernels start up
        import papermill  # noqa: F401

        def one(nb, kernel) -> float:
            return _timed(_staged(stage, nb), timeout, workdir, kernel)

        errors = _schedule(todo, jobs, warming, pool, one)
        print(
            f"{len(todo) - len(errors)} of {len(todo)} notebooks ran in "
            f"{time.perf_counter() - start:.1f} s on {jobs} kernels",
            flush=True,
        )
        if errors:
            raise RunError(
                "\n".join(errors) + "\nNothing was committed: every notebook and every file in "
                "data/derived/ is as it was."
            )
        commit(stage, todo)
    for nb in todo:
        mark_done(nb, prints[nb.name])


# What a run's kernels read: the notebooks, their helpers and data (outputs land in data/derived)
STAGED = ("helpers", "data", "notebooks")


def stage_project(stage: Path) -> None:
    """Copy what the kernels read into ``stage``; they import its helpers, so they read its
    data/ and write its data/derived/ (``tools.kernels.warm_kernel(root=stage)``)."""
    for folder in STAGED:
        shutil.copytree(
            paths.ROOT / folder,
            stage / folder,
            ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints", ".*.tmp"),
        )


def _staged(stage: Path, nb: notebooks.Notebook) -> Path:
    """Where ``nb`` lies in the staged copy (it is executed there, in place)."""
    return stage / "notebooks" / nb.path.name


def commit(stage: Path, ran: list[notebooks.Notebook]) -> list[Path]:
    """Move the run's notebooks and changed derived files into the checkout; return them.

    Only after every notebook succeeded; signals wait until the last file is in place, so an
    interruption cannot leave half a commit.
    """
    staged_derived = stage / "data" / "derived"
    results = [(_staged(stage, nb), nb.path) for nb in ran]
    results += [
        (path, paths.DATA / "derived" / path.relative_to(staged_derived))
        for path in sorted(staged_derived.rglob("*"))
        if path.is_file()
    ]
    # a file whose bytes did not change is left alone (its time too)
    moves = [
        (path, target)
        for path, target in results
        if not (target.is_file() and target.read_bytes() == path.read_bytes())
    ]
    blocked = {signal.SIGINT, signal.SIGTERM}
    signal.pthread_sigmask(signal.SIG_BLOCK, blocked)
    try:
        for source, target in moves:
            data.write_atomically(target, lambda tmp, source=source: shutil.copyfile(source, tmp))
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, blocked)
    return [target for _, target in moves]


def _schedule(todo, jobs, warming, pool, run_one) -> list[str]:
    """Run each notebook (``run_one(nb, kernel)``) on its kernel once those it waits for are
    done; return the errors."""
    # longest first, so the last notebook to finish (the audit report waits for it) starts
    # early; the executed notebook's size stands in for its run time (figures dominate both)
    waiting = sorted(todo, key=lambda nb: -nb.path.stat().st_size)
    running: dict = {}  # future -> notebook
    errors, failed = [], set()
    while waiting or running:
        unfinished = {nb.name for nb in waiting} | {nb.name for nb in running.values()}
        for nb in list(waiting):
            if set(nb.after) & failed:
                waiting.remove(nb)
                failed.add(nb.name)
                errors.append(f"{nb.name}: not run, a notebook it depends on failed")
                _discard(warming[nb.name])
            elif len(running) < jobs and not set(nb.after) & unfinished:
                waiting.remove(nb)
                running[pool.submit(run_one, nb, warming[nb.name])] = nb
        if not running:  # what still waits, waits on itself: the registry has a cycle
            for nb in waiting:
                errors.append(f"{nb.name}: not run, it waits on {sorted(nb.after)} in a cycle")
                _discard(warming[nb.name])
            break
        done, _ = wait(running, return_when=FIRST_COMPLETED)
        for future in done:
            nb = running.pop(future)
            try:
                seconds = future.result()
            except RunError as exc:
                errors.append(str(exc))
                print(f"FAILED {exc}", file=sys.stderr, flush=True)
                failed.add(nb.name)
                continue
            print(f"ran {nb.name} in {seconds:.1f} s", flush=True)
    return errors


def _discard(kernel) -> None:
    """Stop the kernel a future started, for a notebook that will not run."""
    if kernel.exception() is None:
        kernels.shutdown(kernel.result())


def _timed(path: Path, timeout: int, workdir: Path, kernel) -> float:
    """Run the notebook at ``path`` in place on the kernel that ``kernel`` (a future) started;
    seconds from its turn."""
    start = time.perf_counter()
    try:
        km = kernel.result()
    except Exception as exc:
        raise RunError(f"{path.stem}: the kernel did not start: {exc}") from None
    try:
        execute(path, timeout=timeout, workdir=workdir, km=km)
    finally:
        kernels.shutdown(km)
    return time.perf_counter() - start


def _stop_children(signum, frame):
    """On SIGINT/SIGTERM: kill kernels, remove scratch folders (keys, sockets, the staged
    results) and leave; nothing was committed (a commit in progress holds signals back)."""
    kernels.stop_all()
    print(
        f"\nInterrupted (signal {signum}); nothing was committed: notebooks and data/derived "
        "are as they were.",
        file=sys.stderr,
        flush=True,
    )
    os._exit(128 + signum)


def timeout_seconds(text: str) -> int:
    """``--timeout`` (``make TIMEOUT=...``) as whole seconds; RunError says what is allowed."""
    if not text.strip().isdigit() or int(text) < 1:
        raise RunError(
            f"TIMEOUT (--timeout) is {text!r}; allowed: whole seconds, 1 or more "
            "(for example make TIMEOUT=600)."
        )
    return int(text)


def main(argv=None) -> int:
    return cli.guard(_main, argv)


def _main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.run", description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", help="notebooks to run (default: every stale one)")
    parser.add_argument("--force", action="store_true", help="run even if up to date")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="kernels at once")
    parser.add_argument("--timeout", default=str(DEFAULT_TIMEOUT), help="seconds per cell")
    parser.add_argument(
        "-p",
        nargs=2,
        action="append",
        metavar=("NAME", "VALUE"),
        help="run ONE notebook with this"
        " parameter into --out, the committed notebook untouched (checked before any kernel)",
    )
    parser.add_argument("--out", type=Path, help="with -p: the executed copy (build/runs/...)")
    args = parser.parse_args(argv)
    try:
        timeout = timeout_seconds(args.timeout)
        if args.p:
            if len(args.names) != 1:
                raise RunError("-p runs exactly one notebook; name it, e.g. 01_introduction")
            nb = notebooks.by_name(args.names[0])
            parameters = {name: checks.literal(value) for name, value in args.p}
            out = args.out or paths.BUILD / "runs" / f"{nb.name}.ipynb"
            print(_shown(execute(nb, parameters=parameters, output=out, timeout=timeout)))
            return 0
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, _stop_children)
            signal.signal(signal.SIGINT, _stop_children)
        with checkout_lock():
            kernels.remove_stale()  # folders of runs that were killed (SIGKILL cleans nothing)
            run_all(plan(args.names, args.force), max(1, args.jobs), timeout)
    except (RunError, KeyError, ValueError) as exc:
        print(f"error: {exc.args[0] if isinstance(exc, KeyError) else exc}", file=sys.stderr)
        return 1
    return 0


@contextlib.contextmanager
def checkout_lock():
    """One run at a time per checkout: a second ``make`` waits for the first, and says so."""
    import filelock

    lock_path = paths.BUILD / ".run.lock"
    try:
        paths.BUILD.mkdir(parents=True, exist_ok=True)
        if not os.access(paths.BUILD, os.W_OK):
            raise PermissionError(errno.EROFS, os.strerror(errno.EROFS))
        lock = filelock.FileLock(lock_path)
        try:
            lock.acquire(timeout=0)
        except filelock.Timeout:
            print("Another run is in progress in this checkout; waiting for it to finish.")
            sys.stdout.flush()
            lock.acquire()
    except OSError as exc:
        raise RunError(
            f"cannot write {paths.relative(paths.BUILD)}/ ({exc.strerror}): the checkout is "
            "read-only; run make in a writable copy."
        ) from None
    try:
        yield
    finally:
        lock.release()


if __name__ == "__main__":
    sys.exit(main())
