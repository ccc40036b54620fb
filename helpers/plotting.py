"""One look for every figure, and a source line under each."""

from __future__ import annotations

import textwrap
import warnings

import matplotlib
import matplotlib.pyplot as plt
import seaborn as sns
from matplotlib.legend import Legend
from matplotlib.text import Text

# the palette lives apart (no matplotlib there, for the site); notebooks read it from here
from helpers.colours import ENTITY_COLOURS, VERDICT_COLOURS, VERDICT_SYMBOLS  # noqa: F401

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


def finish(fig: plt.Figure, source: str) -> None:
    """Add the source line, fit everything else above it and show the figure.

    The figure is shown at its own size, not cropped to a tight box (which draws it twice), so
    a title, label or legend too long for it would be cut off: that is warned about instead.
    """
    fig.tight_layout(rect=(0, source_line(fig, source), 1, 1))
    fig.set_layout_engine(None)  # laid out once; else showing it lays it out (draws) again
    renderers = []  # the renderer that draws it: texts measured with it are measured already
    fig.canvas.mpl_connect("draw_event", lambda event: renderers.append(event.renderer))
    if "inline" in matplotlib.get_backend():  # in a kernel: the PNG carries its alt text
        from IPython.display import display

        display(fig, metadata={"image/png": {"alt": alt_text(fig, source)}})
        plt.close(fig)
    else:
        plt.show()
    # no inline backend drew it (a script, a test), or drew it at another resolution (a
    # savefig.dpi of someone's own, whose text sizes do not match the figure's): place every text
    # at its own size
    if not renderers or renderers[-1].dpi != fig.dpi:
        fig.draw_without_rendering()
    warn_if_cut_off(fig, renderers[-1])


def alt_text(fig: plt.Figure, source: str) -> str:
    """The figure's description for readers who cannot see it: its titles and its source."""
    titles = [fig.get_suptitle()]
    for ax in fig.axes:
        titles += [ax.get_title(loc=loc) for loc in ("left", "center", "right")]
    described = "; ".join(t.strip() for t in titles if t.strip()) or "Untitled figure"
    return f"Figure: {described}. Source: {source}"


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
