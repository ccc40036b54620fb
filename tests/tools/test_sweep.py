"""Parameter sweeps: grids are checked, runs land under build/runs/, notebooks untouched."""

import pandas as pd
import pytest

from tools import notebooks, sweep

ALLOWED = {"tolerance": "float", "sum_tolerance": "float", "derived_dir": "str"}


def test_grid_is_a_product(tmp_path):
    grid = tmp_path / "g.yaml"
    grid.write_text("grid:\n  tolerance: [0.01, 0.1]\n  sum_tolerance: [0.0, 0.05, 0.2]\n")
    sets = sweep.read_grid(grid, ALLOWED)
    assert len(sets) == 6
    assert {"sum_tolerance": 0.2, "tolerance": 0.1} in sets


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("grid:\n  tolerence: [0.1]\n", r"parameter 'tolerence' is not a parameter.*allowed"),
        ("grid:\n  tolerance: 0.1\n", r"'tolerance' needs a non-empty list"),
        ("grid:\n  derived_dir: [x]\n", r"set by the sweep itself"),
        ("tolerance: [0.1]\n", r"needs a 'grid' mapping"),
        ("grid:\n  tolerance: [0.1\n", r"line 3: expected ',' or ']'.*grid file is YAML"),
    ],
)
def test_bad_grids_are_named(tmp_path, text, message):
    grid = tmp_path / "bad.yaml"
    grid.write_text(text)
    with pytest.raises(sweep.GridError, match=message) as caught:
        sweep.read_grid(grid, ALLOWED)
    assert "bad.yaml" in str(caught.value)


def test_example_grids_fit_their_notebooks():
    import papermill

    for grid in sorted(notebooks.paths.NOTEBOOKS.glob("sweeps/0*.yaml")):  # not sensitivity
        nb = notebooks.by_name(grid.stem)
        allowed = {p["name"]: p for p in papermill.inspect_notebook(str(nb.path)).values()}
        assert sweep.read_grid(grid, allowed)


# A notebook with a parameter and a verdict that depends on it, as a real section has
TINY = (
    "# parameters\ntolerance: float = 0.1\nderived_dir: str = ''",
    "from helpers import data, params, paths\n"
    "tolerance = params.check('tolerance', tolerance, float, minimum=0.0, maximum=0.5)\n"
    "verdict = 'consistent' if tolerance >= 0.05 else 'inconsistent'\n"
    "target = paths.results_dir(derived_dir) / 'verdicts' / 'tiny.csv'\n"
    "data.write_atomically(target, lambda p: p.write_text(f'claim_id,verdict\\nT,{verdict}\\n'))",
)


class TestSweepRun:
    def test_small_sweep_writes_summary_and_leaves_notebook(self, tmp_path, make_notebook):
        nb = make_notebook(*TINY)
        before = nb.read_bytes()
        grid = tmp_path / "tiny.yaml"
        grid.write_text("grid:\n  tolerance: [0.01, 0.1]\n")
        summary = sweep.sweep(str(nb), grid, name="tiny", jobs=2, runs=tmp_path / "runs")
        table = pd.read_csv(summary)
        assert dict(zip(table["tolerance"], table["verdict"], strict=True)) == {
            0.01: "inconsistent",
            0.1: "consistent",
        }, "each run's verdicts, under its parameters"
        assert nb.read_bytes() == before
        assert summary == tmp_path / "runs" / "tiny" / "summary.csv"

    def test_a_bad_value_in_a_grid_stops_before_any_kernel(self, tmp_path, make_notebook):
        nb = make_notebook(*TINY)
        grid = tmp_path / "bad.yaml"
        grid.write_text("grid:\n  tolerance: [0.1, 0.9]\n")
        with pytest.raises(sweep.GridError) as caught:
            sweep.sweep(str(nb), grid, runs=tmp_path / "runs")
        assert str(caught.value).endswith(
            "bad.yaml: Parameter 'tolerance' must be a float from 0.0 to 0.5; got 0.9."
        )
        assert not (tmp_path / "runs").exists(), "nothing ran"
