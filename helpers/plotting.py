"""One look for every figure, and a source line under each."""

from __future__ import annotations

import re
import textwrap
import warnings

import matplotlib
import matplotlib.pyplot as plt
import seaborn as sns
from matplotlib.legend import Legend
from matplotlib.text import Text

# the palette lives apart (no matplotlib there, for the site); notebooks read it from here
from helpers.colours import (  # noqa: F401
    ENTITY_COLOURS,
    SERIES_COLOURS,
    VERDICT_COLOURS,
    VERDICT_SYMBOLS,
    colour,
    palette,
)

PALETTE = "colorblind"
SOURCE_POINTS = 8  # type size of the source line


def use_theme() -> None:
    """Seaborn theme plus settings that keep committed notebooks byte-identical on rerun."""
    sns.set_theme(style="whitegrid", context="notebook", palette=PALETTE)
    matplotlib.rcParams.update(
        {
            "figure.figsize": (8, 4.5),
            # one PNG at 120 dpi (960 px wide), crisp at a page's width; a 2x "retina" PNG
            # was 2.8 times the pixels, and every build, page load and print paid for them
            "figure.dpi": 120,
            "savefig.dpi": 120,
            "svg.hashsalt": "menju-2003",  # fixed ids if anyone switches to SVG
            "axes.titleweight": "bold",
            "axes.titlelocation": "left",
        }
    )
    try:  # PNG is stable for pinned library versions; inline SVG carries dates and random ids
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        # the figure as laid out by `finish`: cropping to a tight box would draw it twice
        set_matplotlib_formats("png", bbox_inches=None)
    except ImportError:  # outside IPython there is no inline backend to configure
        pass


def source_line(fig: plt.Figure, text: str) -> float:
    """Put 'Source: ...' at the foot of the figure, left-aligned, in small type.

    Returns the height it takes, as a fraction of the figure's height.
    """
    # wrapped here rather than by matplotlib, so its height is known before drawing
    width = int(fig.get_figwidth() * 72 / (SOURCE_POINTS * 0.55))  # ~0.55 em per character
    lines = textwrap.wrap(f"Source: {text}", width=width)
    fig.text(
        0.01, 0.01, "\n".join(lines), ha="left", va="bottom", fontsize=SOURCE_POINTS, color="0.3"
    )
    return (len(lines) * SOURCE_POINTS * 1.25 + 6) / 72 / fig.get_figheight()


def finish(fig: plt.Figure, source: str, alt: str) -> None:
    """Add the source line, fit everything else above it and show the figure.

    ``alt`` says what the figure shows, in a sentence with its main number filled by the run
    (``helpers.findings.fill``): readers who cannot see the figure get it with the source.
    The figure is shown at its own size, not cropped to a tight box (which draws it twice), so
    a title, label or legend too long for it would be cut off: that is warned about instead,
    as is a label that is a code name ("01_introduction") rather than words.
    """
    warn_if_code_names(fig)
    fig.tight_layout(rect=(0, source_line(fig, source), 1, 1))
    fig.set_layout_engine(None)  # laid out once; else showing it lays it out (draws) again
    renderers = []  # the renderer that draws it: texts measured with it are measured already
    fig.canvas.mpl_connect("draw_event", lambda event: renderers.append(event.renderer))
    if "inline" in matplotlib.get_backend():  # in a kernel: the PNG carries its alt text
        from IPython.display import display

        display(fig, metadata={"image/png": {"alt": alt_text(alt, source)}})
        plt.close(fig)
    else:
        plt.show()
    # no inline backend drew it (a script, a test), or drew it at another resolution (a
    # savefig.dpi of someone's own, whose text sizes do not match the figure's): place every text
    # at its own size
    if not renderers or renderers[-1].dpi != fig.dpi:
        fig.draw_without_rendering()
    warn_if_cut_off(fig, renderers[-1])


def alt_text(alt: str, source: str) -> str:
    """The figure's description for readers who cannot see it: what it shows, and its source."""
    described = alt.strip()
    if not described or not any(ch.isdigit() for ch in described):
        raise ValueError("alt text: a sentence saying what the figure shows, with its main number")
    return f"{described.rstrip('.')}. Source: {source}"


CODE_NAME = re.compile(r"\b[A-Za-z0-9]+_[A-Za-z0-9_]+\b")  # snake_case: a name from the code


def warn_if_code_names(fig: plt.Figure) -> None:
    """Warn about a title, axis label, tick label or legend entry written as a code name."""
    texts = [fig.get_suptitle()]
    for ax in fig.axes:
        texts += [ax.get_title(loc=loc) for loc in ("left", "center", "right")]
        texts += [ax.get_xlabel(), ax.get_ylabel()]
        texts += [t.get_text() for t in [*ax.get_xticklabels(), *ax.get_yticklabels()]]
        legend = ax.get_legend()
        texts += [t.get_text() for t in legend.get_texts()] if legend else []
    for text in texts:
        for name in CODE_NAME.findall(text or ""):
            warnings.warn(
                f"figure label {text!r} shows the code name {name!r}: label it in words",
                stacklevel=3,
            )


def warn_if_cut_off(fig: plt.Figure, renderer) -> None:
    """Warn about any title, label, annotation or legend that reaches past the figure's edge."""
    canvas = fig.bbox.padded(1)  # one pixel of grace
    for ax in fig.axes:
        for artist in [ax.xaxis.label, ax.yaxis.label, *ax.get_children()]:
            shown = isinstance(artist, Legend) or (isinstance(artist, Text) and artist.get_text())
            if not shown or not artist.get_visible():
                continue
            box = artist.get_window_extent(renderer)
            if not (canvas.contains(box.x0, box.y0) and canvas.contains(box.x1, box.y1)):
                what = "the legend" if isinstance(artist, Legend) else repr(artist.get_text())
                warnings.warn(
                    f"figure {ax.get_title(loc='left') or ax.get_title()!r}: {what} falls "
                    "outside the figure; make the figure larger or the text shorter",
                    stacklevel=3,
                )
