"""Benchmark: the project's full run against the floor and against a naive papermill loop.

    python -m tools.bench [--reps 3]      (what `make bench` calls)

Three measurements, interleaved in each repetition so they share the machine's noise:

(a) the project: ``python -m tools.run --force`` (all notebooks, parallel, one process);
(b) the floor: as many kernels as there are notebooks, at the same parallelism, each only
    importing the libraries the notebooks import (``tools.kernels.PRELOAD``), then stopping.
    These are the same pre-started ordinary kernels the runner uses;
(c) the naive peer: the ``papermill`` command line once per notebook, one after another.

All three run on a scratch copy of the project under build/bench/, so the committed notebooks
are never touched. Prints each median and ends with
``ratio_to_floor=<a/b> speedup_vs_naive=<c/a>``: what is left of (a) above (b) is the
notebooks' own cells. This is a benchmark, not a test: nothing asserts a time.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from helpers import paths
from tools import notebooks

BENCH = paths.BUILD / "bench"


# What the scratch copy leaves out: the environment, build outputs (bench's own among them),
# caches and git's store; uncommitted edits are benchmarked as they stand
NOT_PROJECT = (
    ".git",
    ".venv",
    "build",
    "__pycache__",
    ".ruff_cache",
    ".pytest_cache",
    "*.egg-info",
)


def copy_project(target: Path) -> Path:
    """The working tree, without NOT_PROJECT, in ``target`` (replaced if there)."""
    shutil.rmtree(target, ignore_errors=True)
    return Path(shutil.copytree(paths.ROOT, target, ignore=shutil.ignore_patterns(*NOT_PROJECT)))


def floor(count: int, jobs: int) -> None:
    """Start ``count`` kernels, ``jobs`` at a time; each imports the libraries, then stops.

    These are the runner's own warm kernels (``tools.kernels.warm_kernel``) with no notebook.
    """
    from concurrent.futures import ThreadPoolExecutor

    from tools import kernels

    kernels.prepare_environment()
    workdir = kernels.scratch_dir("menju-floor-")
    try:
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            list(pool.map(lambda _: kernels.shutdown(kernels.warm_kernel(workdir)), range(count)))
    finally:
        kernels.remove_scratch(workdir)


def _timed(cmd: list[str], cwd: Path, env: dict) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main(argv=None) -> int:
    from tools import cli

    return cli.guard(_main, argv)  # "Interrupted", a read-only or full disk: one sentence


def _main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.bench", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--reps", type=int, default=5, help="repetitions (median reported; at least 3)"
    )
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="parallel kernels")
    args = parser.parse_args(argv)
    reps = max(1, args.reps)
    copy = copy_project(BENCH / "project")
    env = {**os.environ, "PYTHONPATH": str(copy), "PYTHONHASHSEED": "0"}
    names = [nb.name for nb in notebooks.existing()]
    # naive order: sections in reading order, then the audit report that reads their verdicts
    naive_order = [n for n in names if n != notebooks.AUDIT.name] + [notebooks.AUDIT.name]
    papermill_cli = str(Path(sys.executable).with_name("papermill"))
    out = BENCH / "naive"
    out.mkdir(parents=True, exist_ok=True)
    times = {"a": [], "b": [], "c": []}
    print(f"{len(names)} notebooks, {args.jobs} parallel kernels, {reps} repetitions", flush=True)
    for rep in range(reps):
        times["a"].append(
            _timed(
                [sys.executable, "-m", "tools.run", "--force", "--jobs", str(args.jobs)],
                copy,
                env,
            )
        )
        floor_cmd = [sys.executable, "-m", "tools.bench", "--floor", str(len(names))]
        times["b"].append(_timed([*floor_cmd, str(args.jobs)], copy, env))
        start = time.perf_counter()
        for name in naive_order:
            subprocess.run(
                [
                    papermill_cli,
                    f"notebooks/{name}.ipynb",
                    str(out / f"{name}.ipynb"),
                    "--cwd",
                    "notebooks",
                ],
                cwd=copy,
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        times["c"].append(time.perf_counter() - start)
        print(
            f"rep {rep + 1}: project {times['a'][-1]:.1f} s, floor {times['b'][-1]:.1f} s, "
            f"naive {times['c'][-1]:.1f} s",
            flush=True,
        )
    a, b, c = (statistics.median(times[k]) for k in "abc")
    print(f"(a) project full run, median: {a:.2f} s")
    print(f"(b) floor (imports only),  median: {b:.2f} s")
    print(f"(c) naive papermill loop,   median: {c:.2f} s")
    print(f"ratio_to_floor={a / b:.2f} speedup_vs_naive={c / a:.2f}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--floor":
        floor(int(sys.argv[2]), int(sys.argv[3]))
    else:
        sys.exit(main())
