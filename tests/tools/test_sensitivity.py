"""Sensitivity: the flip-point rule on a made-up sweep summary, the committed file against the
verdicts it claims to start from, and the grid against the notebooks (no notebook is run)."""

import pandas as pd
import pytest

from helpers import paths
from tools import sensitivity, sweep


def summary(rows: list[tuple[float, str, str]]) -> pd.DataFrame:
    """A sweep summary as tools.sweep writes it (strings): (tolerance, reading, verdict)."""
    return pd.DataFrame(
        [(f"00_{t}", str(t), r, v) for t, r, v in rows],
        columns=["run", "tolerance", "claim_id", "verdict"],
    )


def test_flip_point_is_the_nearest_value_that_changes_the_verdict():
    ok, approx, bad = "consistent", "approximately consistent", "inconsistent"
    table = summary(
        [
            # steady: never listed
            *((t, "C01-steady", ok) for t in (0.0, 0.02, 0.05, 0.1, 0.25)),
            # changes only far above the default
            (0.0, "C01-loose", bad), (0.02, "C01-loose", bad), (0.05, "C01-loose", bad),
            (0.1, "C01-loose", bad), (0.25, "C01-loose", approx),
            # changes on both sides: the nearer side (below, 0.02 is 0.03 away) wins
            (0.0, "C01-both", bad), (0.02, "C01-both", bad), (0.05, "C01-both", approx),
            (0.1, "C01-both", approx), (0.25, "C01-both", ok),
        ]
    )  # fmt: skip
    flips = sensitivity.flip_points(table, "tolerance", 0.05).set_index("reading")
    assert sorted(flips.index) == ["C01-both", "C01-loose"]
    assert flips.loc["C01-loose", ["flips_at", "verdict_after"]].tolist() == ["0.25", approx]
    assert flips.loc["C01-both", ["default", "verdict_at_default"]].tolist() == ["0.05", approx]
    assert flips.loc["C01-both", ["flips_at", "verdict_after"]].tolist() == ["0.02", bad]
    with pytest.raises(ValueError, match="no run at the default 0.07"):
        sensitivity.flip_points(table, "tolerance", 0.07)


def test_committed_file_agrees_with_the_verdicts_and_the_notebooks():
    """A stale data/derived/sensitivity.csv (a verdict, a reading or a default has changed
    since it was computed) fails here, saying to recompute it."""

    def read(path):
        return pd.read_csv(path, dtype=str, keep_default_na=False)

    committed = read(sensitivity.TARGET)
    verdicts, ledger = read(paths.DERIVED / "claim_verdicts.csv"), read(paths.CLAIMS)
    assert sensitivity.staleness(committed, verdicts, ledger) is None
    planned = {(nb, p): default for nb, p, default, _ in sensitivity.plan()}
    for row in committed.itertuples():
        assert float(row.default) == planned[(row.notebook, row.parameter)], (
            "data/derived/sensitivity.csv is stale (a default changed): run make sensitivity."
        )
    changed = verdicts.assign(verdict="not checkable")
    if len(committed):  # the check can fail: the same file against other verdicts
        assert "is stale" in sensitivity.staleness(committed, changed, ledger)


def test_grid_fits_the_notebooks_and_bad_grids_are_named(tmp_path):
    for nb_name, parameter, default, values in sensitivity.plan():
        assert default in values and len(values) >= 4, (nb_name, parameter)
    bad = tmp_path / "bad.yaml"
    bad.write_text("notebooks: [01_introduction]\ngrid:\n  tolerence: [0.1]\n")
    with pytest.raises(sweep.GridError, match="bad.yaml: 'tolerence' is not a parameter of any"):
        sensitivity.plan(bad)


def test_a_sweep_that_disagrees_with_make_is_refused():
    made = pd.read_csv(paths.DERIVED / "claim_verdicts.csv", dtype=str, keep_default_na=False)
    at_default = made[["claim_id", "verdict"]].head(3)
    sensitivity.agree_with_make(at_default, "01_introduction")  # the same verdicts: accepted
    flipped = {"inconsistent": "consistent"}
    other = at_default.assign(verdict=[flipped.get(v, "inconsistent") for v in at_default.verdict])
    with pytest.raises(ValueError, match="gives C0.* the verdict .* run make first"):
        sensitivity.agree_with_make(other, "01_introduction")
