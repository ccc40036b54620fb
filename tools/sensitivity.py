"""How the ledger's verdicts move with the judging parameters: one-at-a-time sweeps.

    python -m tools.sensitivity            (make sensitivity)

For every notebook and parameter of ``notebooks/sweeps/sensitivity.yaml``, the sweep machinery
(``tools.sweep``) runs the notebook once per value, the other parameters at the notebook's
defaults, into ``build/runs/sensitivity/``. A ledger reading whose verdict differs anywhere on a
parameter's grid gets one row of ``data/derived/sensitivity.csv``: the grid value nearest the
default at which its verdict changes, and the verdict there. The file is written only when every
run succeeded, so it is all new or all old.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from helpers import paths
from tools import kernels, notebooks, run, sweep

SPEC = paths.NOTEBOOKS / "sweeps" / "sensitivity.yaml"
TARGET = paths.DERIVED / "sensitivity.csv"
RUNS = sweep.RUNS / "sensitivity"

if TYPE_CHECKING:  # pandas is imported where it is used: the command line starts fast
    import pandas as pd


def read_spec(path: Path = SPEC) -> tuple[list[str], dict[str, list]]:
    """The notebooks and the one-at-a-time grid of a sensitivity file."""
    import yaml

    shown = paths.relative(Path(path))
    if not Path(path).exists():
        raise sweep.GridError(f"{shown}: sensitivity grid file is missing.")
    spec = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    names = spec.get("notebooks") if isinstance(spec, dict) else None
    grid = spec.get("grid") if isinstance(spec, dict) else None
    if not isinstance(names, list) or not names:
        raise sweep.GridError(f"{shown}: needs a 'notebooks' list of notebook names.")
    if not isinstance(grid, dict) or not grid:
        raise sweep.GridError(f"{shown}: needs a 'grid' mapping of parameter names to lists.")
    for name, values in grid.items():
        if not isinstance(values, list) or not values:
            raise sweep.GridError(f"{shown}: parameter '{name}' needs a non-empty list of values.")
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
            raise sweep.GridError(f"{shown}: parameter '{name}' takes numbers only.")
    for name in names:
        try:
            notebooks.by_name(str(name))
        except KeyError as exc:
            raise sweep.GridError(f"{shown}: {exc.args[0]}") from None
    return [str(n) for n in names], grid


def defaults(nb_name: str) -> dict[str, object]:
    """A notebook's parameters and their default values, as its parameters cell sets them."""
    import papermill

    from tools import checks

    path = notebooks.by_name(nb_name).path
    return {
        p["name"]: checks.literal(p["default"])
        for p in papermill.inspect_notebook(str(path)).values()
    }


def plan(spec_path: Path = SPEC) -> list[tuple[str, str, object, list]]:
    """(notebook, parameter, default, values) of every one-at-a-time sweep; the default is
    always among the values. A grid parameter that no listed notebook takes is refused."""
    names, grid = read_spec(spec_path)
    sweeps, used = [], set()
    for nb_name in names:
        declared = defaults(nb_name)
        for parameter, values in grid.items():
            if parameter in declared:
                default = declared[parameter]
                sweeps.append((nb_name, parameter, default, sorted({*values, default})))
                used.add(parameter)
    unused = sorted(set(grid) - used)
    if unused:
        raise sweep.GridError(
            f"{paths.relative(Path(spec_path))}: '{unused[0]}' is not a parameter of any "
            f"notebook listed there ({', '.join(names)})."
        )
    return sweeps


def number(value) -> str:
    """A grid value as written to the CSV: 0.05, 0, 0.25 (no float noise)."""
    return f"{float(value):g}"


def flip_points(summary: pd.DataFrame, parameter: str, default) -> pd.DataFrame:
    """One row per reading whose verdict changes anywhere along ``parameter``'s grid.

    ``summary`` has one row per run and reading (columns ``parameter``, ``claim_id``,
    ``verdict``: a sweep's summary.csv). ``flips_at`` is the grid value nearest the default
    whose verdict differs from the default's (the lower one if two are as near), so walking
    away from the default it is the first value that changes the verdict.
    """
    import pandas as pd

    columns = ["reading", "parameter", "default", "verdict_at_default", "flips_at", "verdict_after"]
    values = pd.to_numeric(summary[parameter])
    rows = []
    for reading, runs in summary.assign(value=values).groupby("claim_id", sort=True):
        verdicts = runs.set_index("value")["verdict"]
        at_default = verdicts[verdicts.index == float(default)]
        if at_default.empty:
            raise ValueError(f"{parameter}: the grid has no run at the default {default}")
        changed = verdicts[verdicts != at_default.iloc[0]]
        if changed.empty:
            continue
        distance = (changed.index.to_series() - float(default)).abs().round(12)
        nearest = min(zip(distance, changed.index, strict=True))[1]
        rows.append(
            {
                "reading": reading,
                "parameter": parameter,
                "default": number(default),
                "verdict_at_default": at_default.iloc[0],
                "flips_at": number(nearest),
                "verdict_after": changed[nearest],
            }
        )
    return pd.DataFrame(rows, columns=columns)


def staleness(table: pd.DataFrame, verdicts: pd.DataFrame, ledger: pd.DataFrame) -> str | None:
    """Why a sensitivity table no longer describes the verdicts (None if it does): a reading
    gone from the ledger, another claim, or a verdict at the default that is no longer the
    verdict of ``claim_verdicts.csv``. The cure is always to recompute it."""
    now = verdicts.set_index("claim_id")["verdict"]
    claim_of = ledger.set_index("claim_id")["claim"]
    for row in table.itertuples():
        if row.reading not in now.index:
            why = f"reading {row.reading} is no longer in the ledger"
        elif claim_of.get(row.reading) != row.claim:
            why = f"reading {row.reading} now belongs to {claim_of.get(row.reading)}"
        elif now[row.reading] != row.verdict_at_default:
            why = f"{row.reading} is now {now[row.reading]}, not {row.verdict_at_default}"
        else:
            continue
        return f"{paths.relative(TARGET)} is stale ({why}): run make sensitivity."
    return None


def agree_with_make(at_default: pd.DataFrame, nb_name: str) -> None:
    """A sweep's run at the defaults must give every reading the verdict ``make`` gave it
    (data/derived/claim_verdicts.csv); otherwise those verdicts are stale, or a run is not
    reproducible, and no flip point measured from it can be trusted."""
    import pandas as pd

    made = paths.DERIVED / "claim_verdicts.csv"
    verdicts = pd.read_csv(made, dtype=str, keep_default_na=False)
    now = verdicts.set_index("claim_id")["verdict"]
    differ = at_default[at_default["verdict"] != at_default["claim_id"].map(now)]
    if not differ.empty:
        row = differ.iloc[0]
        raise ValueError(
            f"{nb_name} at its defaults gives {row['claim_id']} the verdict {row['verdict']}, but "
            f"{paths.relative(made)} says {now.get(row['claim_id'], 'nothing')}: run make first."
        )


def sensitivity(spec_path: Path = SPEC, jobs: int | None = None, runs: Path = RUNS):
    """Run every sweep of the plan and return the table of flip points (nothing written)."""
    import pandas as pd
    import yaml

    from helpers import claims, data

    sweeps = plan(spec_path)
    ledger = claims.load_claims().set_index("claim_id")
    grids = Path(runs) / "grids"
    grids.mkdir(parents=True, exist_ok=True)
    found = []
    names = ", ".join(dict.fromkeys(nb_name for nb_name, *_ in sweeps))
    runs_in_all = sum(len(values) for *_, values in sweeps)
    print(f"{runs_in_all} runs of {names}, one parameter at a time (a few minutes)")
    for nb_name, parameter, default, values in sweeps:
        grid = grids / f"{nb_name}-{parameter}.yaml"
        grid.write_text(yaml.safe_dump({"grid": {parameter: values}}), encoding="utf-8")
        with contextlib.redirect_stdout(io.StringIO()):  # its verdict counts, once per sweep
            summary = sweep.sweep(nb_name, grid, f"{nb_name}-{parameter}", jobs, runs)
        table = pd.read_csv(summary, dtype=str, keep_default_na=False)
        agree_with_make(table[pd.to_numeric(table[parameter]) == float(default)], nb_name)
        flips = flip_points(table, parameter, default)
        flips.insert(0, "notebook", nb_name)
        flips.insert(0, "claim", flips["reading"].map(ledger["claim"]))
        found.append(flips)
        print(f"{nb_name} {parameter}: {len(values)} runs, {len(flips)} readings change verdict")
    result = pd.concat(found, ignore_index=True)
    result = result[data.columns("sensitivity")]
    return result.sort_values(["claim", "reading", "parameter"], ignore_index=True)


def _interrupted(signum, frame):
    """Ctrl-C or kill: stop the kernels, remove their scratch folders, leave the CSV as it was."""
    kernels.stop_all()
    print(f"\nInterrupted; {paths.relative(TARGET)} is unchanged.", file=sys.stderr, flush=True)
    os._exit(128 + signum)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.sensitivity", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--grid", default=str(SPEC), help="the one-at-a-time grid (YAML)")
    parser.add_argument("--out", default=str(TARGET), help="the CSV to write")
    parser.add_argument("--jobs", type=int, default=None, help="kernels at once (default: cores)")
    args = parser.parse_args(argv)
    from helpers import data

    out = paths.relative(Path(args.out))
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, _interrupted)
        signal.signal(signal.SIGTERM, _interrupted)
    started = time.perf_counter()
    try:
        table = sensitivity(Path(args.grid), args.jobs)
    except (sweep.GridError, run.RunError, KeyError, ValueError, data.DataError) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) else exc
        print(f"error: {message} {out} is unchanged.", file=sys.stderr)
        return 1
    data.write_csv(table, Path(args.out))
    print(
        f"{len(table)} flip points ({table['reading'].nunique()} readings) in "
        f"{time.perf_counter() - started:.0f} s: wrote {paths.relative(Path(args.out))}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
