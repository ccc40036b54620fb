"""Figures are shown at their own size, so text that does not fit must be reported."""

from __future__ import annotations

import base64
import struct
import warnings

import matplotlib
import pytest

matplotlib.use("Agg")  # no display here; figures are only laid out

import matplotlib.pyplot as plt  # noqa: E402

from helpers import plotting  # noqa: E402


def _finish(title: str, width: float) -> list[str]:
    fig, ax = plt.subplots(figsize=(width, 3))
    ax.plot([1, 2], [3, 4])
    ax.set_title(title, loc="left")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        plotting.finish(fig, "a test. " * 30, "A line from 3 to 4")  # a source of several lines
    plt.close(fig)
    return [str(w.message) for w in caught if "falls outside the figure" in str(w.message)]


def test_a_title_that_fits_passes_quietly():
    assert _finish("A short title", 8) == []


def test_a_title_too_wide_for_the_figure_is_named():
    messages = _finish("A title far too long for a narrow figure " * 2, 3)
    assert len(messages) == 1
    assert "'A title far too long" in messages[0]


def test_the_source_line_gets_room_for_every_line():
    fig, ax = plt.subplots(figsize=(4, 3))
    short = plotting.source_line(fig, "one line")
    long = plotting.source_line(fig, "many words " * 40)
    plt.close(fig)
    assert 0 < short < long < 0.6


def test_in_a_kernel_the_warning_reaches_the_notebook(tmp_path, make_notebook):
    """The inline backend draws and closes the figure inside show(); the check runs after."""
    import nbformat

    from tools import run

    path = make_notebook(
        "import matplotlib.pyplot as plt\n"
        "from helpers import plotting\n"
        "plotting.use_theme()\n"
        "for title in ['Fits', 'Much too long for this figure ' * 3]:\n"
        "    fig, ax = plt.subplots(figsize=(4, 3))\n"
        "    ax.set_title(title)\n"
        "    plotting.finish(fig, 'a test', f'A line rising from 3 to 4 ({title[:4]})')\n",
        name="figure",
    )
    out = nbformat.read(run.execute(path, output=tmp_path / "out.ipynb"), as_version=4)
    outputs = out.cells[0].outputs
    assert sum("image/png" in o.get("data", {}) for o in outputs) == 2
    alts = [o["metadata"]["image/png"]["alt"] for o in outputs if "image/png" in o.get("data", {})]
    assert alts[0] == "A line rising from 3 to 4 (Fits). Source: a test"
    pngs = [base64.b64decode(o["data"]["image/png"]) for o in outputs if "data" in o]
    # PNG header: width and height at bytes 16-24; 4 x 3 inches at 120 dpi, drawn once
    assert struct.unpack(">II", pngs[0][16:24]) == (480, 360)
    warned = "".join(o["text"] for o in outputs if o.get("name") == "stderr")
    assert warned.count("falls outside the figure") == 1
    assert "'Much too long" in warned


def test_alt_text_says_what_the_figure_shows_then_its_source():
    said = plotting.alt_text("Bars show 1,407 affiliations in all.", "Table 2")
    assert said == "Bars show 1,407 affiliations in all. Source: Table 2"
    for vague in ("", "Affiliations by partner"):  # a title is not a description: no number
        with pytest.raises(ValueError, match="main number"):
            plotting.alt_text(vague, "Table 2")


def test_a_code_name_in_a_label_is_named():
    fig, ax = plt.subplots()
    ax.bar(["01_introduction", "Introduction"], [1, 2])
    ax.set_xlabel("Period (reading: fiscal_end_minus_one)")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        plotting.warn_if_code_names(fig)
    plt.close(fig)
    named = sorted(str(w.message).split("code name ")[1] for w in caught)
    assert named == [
        "'01_introduction': label it in words",
        "'fiscal_end_minus_one': label it in words",
    ]


def test_one_colour_per_series_and_partners_keep_theirs():
    from helpers import colours

    partners = [colours.ENTITY_COLOURS[p] for p in colours.PARTNERS]
    assert len(set(partners)) == len(partners)
    # a category that is not a partner ("companies", "offices", "the article", a verdict) is
    # never drawn in a partner's colour, so orange is China on every chart
    for name, colour in {**colours.SERIES_COLOURS, **colours.VERDICT_COLOURS}.items():
        assert colour not in partners, name
    assert colours.palette(["China", "offices"]) == {"China": "#E69F00", "offices": "#F0E442"}
    with pytest.raises(KeyError, match="no colour for 'tourists'"):
        plotting.colour("tourists")


def test_figures_take_their_colours_from_the_mapping():
    """matplotlib's and seaborn's default cycles give blue and orange (the United States' and
    China's colours) to whatever comes first: the notebooks never draw with them."""
    import json
    import re

    from helpers import paths

    for path in sorted(paths.NOTEBOOKS.glob("0*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            source = "".join(cell["source"])
            if cell["cell_type"] != "code" or "plt.subplots" not in source:
                continue
            assert not re.search(r"[\"']C\d[\"']|color_palette\(\)", source), path.name


def test_every_verdict_has_a_colour_and_a_symbol():
    from helpers import claims, colours, external

    for verdict in (*claims.VERDICTS, *external.VERDICTS):
        assert colours.VERDICT_COLOURS[verdict].startswith("#")
        assert colours.VERDICT_SYMBOLS[verdict]
    # colour-blind-safe: the verdict that fails is never drawn in the colour of one that holds
    assert colours.VERDICT_COLOURS["inconsistent"] != colours.VERDICT_COLOURS["consistent"]
    # the notebooks read the same palette through helpers.plotting
    assert plotting.VERDICT_COLOURS is colours.VERDICT_COLOURS
    assert plotting.ENTITY_COLOURS is colours.ENTITY_COLOURS
