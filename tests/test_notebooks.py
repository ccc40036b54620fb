"""Notebooks run with non-default parameters, reject bad ones, and nbval catches edits.

nbval itself (``make test`` passes ``--nbval``) re-executes every committed notebook and compares
each stored output. The tests here check what nbval does not: other parameters, bad input, and
that nbval really fails when an output is edited. One class per notebook lets pytest-xdist
(``--dist loadscope``) give each notebook its own worker and kernel.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import nbformat
import pytest

from helpers import paths
from tools import notebooks, run

# Non-default parameters per notebook: each notebook's own switch, or its tolerance where it
# has none. 01 runs with other parameters once, as a student runs it (tests/tools/
# test_student.py: the same run checks the parameters, the self-check and grading).
OTHER_PARAMETERS = {
    "00_audit_report": {"max_quote_chars": 40},
    "02_historical_perspective": {"period_end_reading": "fiscal_end_same"},
    "03_international_activities": {"miyazaki_94_inside_166": True},
    "04_impact_of_globalization": {"count_fuji_as_founding": True},
    "05_external_cross_checks": {"tolerance": 0.1},
}


def _text_outputs(cells) -> list[str]:
    """What a reader reads and sees of a notebook's outputs (a figure is its PNG)."""
    shown = ("text/plain", "text/html", "text/markdown", "image/png")
    return [
        "".join(o.get("text", "")) + "".join("".join(o.get("data", {}).get(m, "")) for m in shown)
        for cell in cells
        for o in cell.get("outputs", [])
    ]


def _param_run(nb: notebooks.Notebook, tmp_path):
    """Run one notebook with other parameters into tmp_path; what it writes goes there too (the
    report reads a copy of the committed verdicts there)."""
    derived = tmp_path / "derived"
    if nb == notebooks.AUDIT:
        shutil.copytree(paths.DERIVED, derived)
    parameters = {**OTHER_PARAMETERS[nb.name], "derived_dir": str(derived)}
    before = nb.path.read_bytes()
    out = run.execute(nb, parameters=parameters, output=tmp_path / f"{nb.name}.ipynb")
    assert nb.path.read_bytes() == before, "a parameterised run touched the committed notebook"
    executed = json.loads(out.read_text())
    for cell in executed["cells"]:
        for output in cell.get("outputs", []):
            assert output["output_type"] != "error"
            assert output.get("name") != "stderr", "a warning reached the notebook"
    assert sorted(derived.rglob("*.csv")), f"{nb.name} wrote nothing to derived_dir"
    # the parameter reached the computation: what the reader reads is not the default run's
    committed = json.loads(before)["cells"]
    assert _text_outputs(executed["cells"]) != _text_outputs(committed), "parameters ignored"
    return executed


def _make_class(nb: notebooks.Notebook):
    def test_runs_with_other_parameters(self, tmp_path):
        _param_run(nb, tmp_path)

    return type(
        f"TestNotebook_{nb.name}",
        (),
        {"test_runs_with_other_parameters": test_runs_with_other_parameters},
    )


for _nb in notebooks.existing():
    if _nb.name in OTHER_PARAMETERS:
        globals()[f"TestNotebook_{_nb.name}"] = _make_class(_nb)


class TestBadInput:
    """A bad parameter is refused in one sentence before any kernel starts (the limits are the
    notebook's own params.check calls); what only the notebook can judge, it judges in its cell."""

    @pytest.mark.parametrize(
        "parameters, sentence",
        [
            (
                {"tolerance": "abc"},
                "01_introduction: Parameter 'tolerance' must be a float from 0.0 to 0.5; "
                "got 'abc'.",
            ),
            (
                {"sum_tolerance": 2.0},
                "01_introduction: Parameter 'sum_tolerance' must be a float from 0.0 to 0.5; "
                "got 2.0.",
            ),
            (
                {"tolerence": 0.1},
                "01_introduction: 'tolerence' is not a parameter of this notebook; its parameters "
                "are tolerance, hedge_band, sum_tolerance, derived_dir, pairs, governments.",
            ),
        ],
    )
    def test_bad_parameter_stops_before_any_kernel(self, parameters, sentence, tmp_path):
        nb = notebooks.by_name("01_introduction")
        before = nb.path.read_bytes()
        with pytest.raises(run.RunError) as caught:
            run.execute(nb, parameters=parameters, output=tmp_path / "x.ipynb", failed_dir=tmp_path)
        assert str(caught.value) == f"{sentence} No kernel was started; the notebook is unchanged."
        assert nb.path.read_bytes() == before
        assert list(tmp_path.iterdir()) == [], "no partial run: no kernel ran"

    def test_a_value_only_the_notebook_can_judge_stops_in_its_cell(self, tmp_path):
        nb = notebooks.by_name("02_historical_perspective")  # its choices are not a literal
        before = nb.path.read_bytes()
        with pytest.raises(run.RunError) as caught:
            run.execute(
                nb,
                parameters={"period_end_reading": "calendar"},
                output=tmp_path / "x.ipynb",
                failed_dir=tmp_path,
            )
        message = str(caught.value)
        assert "Parameter 'period_end_reading' must be one of ['fiscal_end_minus_one'" in message
        assert "02_historical_perspective: cell" in message
        assert f"failed copy is at {tmp_path / '02_historical_perspective.ipynb'}" in message
        assert nb.path.read_bytes() == before, "a failed run overwrote the committed notebook"
        assert not (tmp_path / "x.ipynb").exists()


class TestNbvalCatchesEdits:
    def test_nbval_fails_when_an_output_is_edited(self, make_notebook):
        """`make test` runs nbval with the project's sanitizers; an edited output must fail."""
        printed = nbformat.v4.new_code_cell("print('Row sums:', {'prefectures': 114})")
        printed.outputs = [nbformat.v4.new_output("stream", text="Row sums: {'edited': 1}\n")]
        computed = nbformat.v4.new_code_cell("1407 - 1374")  # stored output left as computed
        computed.outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "33"})]
        computed.outputs[0].execution_count = computed.execution_count = 2
        printed.execution_count = 1
        target = make_notebook(printed, computed, name="edited")
        # as `make test` runs it: the project's plugin spares jsonschema's slow optional import
        command = [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-p",
            "tools.pytest_plugin",
        ]
        sanitize = paths.ROOT / "tests" / "nbval_sanitize.cfg"
        command += ["-q", "--nbval", "--nbval-current-env", "--nbval-sanitize-with", str(sanitize)]
        result = subprocess.run(
            [*command, str(target)], capture_output=True, text=True, cwd=target.parent
        )
        assert result.returncode == 1, result.stdout[-2000:]
        assert "edited" in result.stdout
        assert "1 failed, 1 passed" in result.stdout, result.stdout[-2000:]
