"""Run one notebook over a grid of parameters, in parallel, for class.

    python -m tools.sweep notebooks/01_introduction.ipynb notebooks/sweeps/01_introduction.yaml

The grid file maps each parameter to a list of values; every combination is one run:

    grid:
      tolerance: [0.01, 0.05, 0.15]
      sum_tolerance: [0.0, 0.05]

Each run's executed notebook and verdicts go under ``build/runs/<name>/<run>/``, and
``build/runs/<name>/summary.csv`` holds every claim's verdict for every parameter set. The
committed notebooks and data/derived are never touched.
"""

from __future__ import annotations

import argparse
import itertools
import os
import shutil
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from helpers import paths
from tools import checks, cli, kernels, nbfiles, notebooks, run

RUNS = paths.BUILD / "runs"


class GridError(ValueError):
    """A grid file that cannot be run: names the file and what is wrong."""


def read_grid(grid_path: Path, allowed: dict[str, str]) -> list[dict]:
    """The parameter sets of a grid file, checked against the notebook's parameters."""
    import yaml

    shown = paths.relative(grid_path)
    if not Path(grid_path).exists():
        raise GridError(f"{shown}: grid file is missing.")
    try:
        spec = yaml.safe_load(Path(grid_path).read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise GridError(
            f"{shown}: {where}{problem}; a grid file is YAML, e.g. notebooks/sweeps/*.yaml."
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise GridError(f"{shown}: cannot be read ({exc}).") from None
    grid = spec.get("grid") if isinstance(spec, dict) else None
    if not isinstance(grid, dict) or not grid:
        raise GridError(f"{shown}: needs a 'grid' mapping of parameter names to lists of values.")
    for name, values in grid.items():
        if name not in allowed:
            raise GridError(
                f"{shown}: parameter '{name}' is not a parameter of the notebook; "
                f"allowed: {sorted(allowed)}."
            )
        if name == "derived_dir":
            raise GridError(f"{shown}: 'derived_dir' is set by the sweep itself.")
        if not isinstance(values, list) or not values:
            raise GridError(f"{shown}: parameter '{name}' needs a non-empty list of values.")
    names = sorted(grid)
    return [
        dict(zip(names, combo, strict=True))
        for combo in itertools.product(*(grid[n] for n in names))
    ]


def slug(index: int, parameters: dict) -> str:
    parts = [f"{k}={v}" for k, v in sorted(parameters.items())]
    return f"{index:02d}_" + "_".join(parts).replace("/", "-").replace(" ", "")


def sweep(
    nb_name: str,
    grid_path: Path,
    name: str | None = None,
    jobs: int | None = None,
    runs: Path = RUNS,
) -> Path:
    """Run every parameter set into ``runs/<name>/``; return the summary CSV path."""
    nbfiles.skip_slow_validator()
    import pandas as pd
    import papermill

    # a registered notebook by name, or any notebook file (a course's own, a test's)
    given = Path(nb_name)
    nb = given if given.suffix == ".ipynb" and given.is_file() else notebooks.by_name(nb_name).path
    allowed = {
        p["name"]: p["inferred_type_name"] for p in papermill.inspect_notebook(str(nb)).values()
    }
    sets = read_grid(Path(grid_path), allowed)
    for parameters in sets:  # every value judged before any kernel starts
        problem = checks.parameter_problem(nb, parameters)
        if problem:
            raise GridError(f"{paths.relative(Path(grid_path))}: {problem}")
    checks.check_code()
    checks.validate_all()
    out = Path(runs) / (name or Path(grid_path).stem)
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    kernels.prepare_environment()
    workdir = kernels.scratch_dir("menju-sweep-")

    def one(item):
        index, parameters = item
        folder = out / slug(index, parameters)
        extra = {"derived_dir": str(folder / "derived")} if "derived_dir" in allowed else {}
        run.execute(
            nb, parameters={**parameters, **extra}, output=folder / nb.name, workdir=workdir
        )
        return index, parameters, folder

    try:  # one ordinary kernel per parameter set, as many at once as there are cores
        with ThreadPoolExecutor(max_workers=jobs or os.cpu_count() or 1) as pool:
            results = list(pool.map(one, enumerate(sets)))
    finally:
        kernels.remove_scratch(workdir)
    rows = []
    for index, parameters, folder in results:
        verdict_file = folder / "derived" / "verdicts" / f"{nb.stem}.csv"
        if not verdict_file.exists():  # notebook 05 writes external checks instead
            verdict_file = folder / "derived" / "external_checks.csv"
        if not verdict_file.exists():
            continue
        frame = pd.read_csv(verdict_file, dtype=str, keep_default_na=False)
        for key, value in parameters.items():
            frame.insert(0, key, value)
        frame.insert(0, "run", slug(index, parameters))
        rows.append(frame)
    summary = out / "summary.csv"
    if rows:
        table = pd.concat(rows, ignore_index=True)
        table.to_csv(summary, index=False, lineterminator="\n")
        counts = table.pivot_table(
            index="run", columns="verdict", values="claim_id", aggfunc="count", fill_value=0
        )
        print(counts.to_string())
    print(
        f"{len(sets)} runs of {nb.stem}; outputs under {paths.relative(out)}/, "
        f"summary {paths.relative(summary)}"
    )
    return summary


def main(argv=None) -> int:
    return cli.guard(_main, argv)


def _main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.sweep", description=__doc__.split("\n")[0]
    )
    parser.add_argument("notebook", help="notebook name or path, e.g. 01_introduction")
    parser.add_argument("grid", help="YAML grid file, e.g. notebooks/sweeps/01_introduction.yaml")
    parser.add_argument("--name", help="folder name under build/runs/ (default: the grid's name)")
    parser.add_argument("--jobs", type=int, default=None, help="kernels at once (default: cores)")
    args = parser.parse_args(argv)
    try:
        sweep(args.notebook, Path(args.grid), args.name, args.jobs)
    except (GridError, KeyError, run.RunError, ValueError) as exc:
        print(f"error: {exc.args[0] if isinstance(exc, KeyError) else exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
