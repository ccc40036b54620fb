"""The one palette: each entity and each verdict has one colour in every notebook and on the site.

Kept apart from ``helpers.plotting`` so that the site's badges read it without importing
matplotlib or seaborn (3 s). The hues are Okabe and Ito's colour-blind-safe set; a verdict's
colour always comes with its word (legend, badge), never alone.
"""

ENTITY_COLOURS = {  # partner countries: a partner keeps its colour in every figure
    "United States": "#0072B2",  # blue
    "China": "#E69F00",  # orange
    "South Korea": "#CC79A7",  # reddish purple
    "all affiliations": "#000000",  # black: the total every partner is a part of
    "other partners": "#999999",  # grey
}
PARTNERS = ("United States", "China", "South Korea")
# Everything else a figure draws, never in a partner's colour (tests/test_plotting.py checks):
# the article's own figures are black, public records bluish green, and a chart's other
# categories take sky blue, yellow, vermillion, greys.
SERIES_COLOURS = {
    "the article": "#000000",  # what the article states: black, as its total above
    "public record": "#009E73",  # an official or quoted series set against the article
    "amount": "#56B4E9",  # the one series of a chart that has only one
    "companies": "#56B4E9",
    "offices": "#F0E442",
    "stated in the text": "#56B4E9",
    "not stated in the text": "#BFBFBF",
    "founding member": "#009E73",
    "joined later": "#BFBFBF",
    # local governments by type (the municipality register)
    "cities": "#009E73",
    "special wards": "#000000",
    "towns": "#56B4E9",
    "villages": "#D55E00",
    # how good an external figure is, as the records say it
    "quoted statement": "#009E73",
    "official (text of a chart)": "#009E73",
    "official page quoting CLAIR": "#009E73",
    "secondary": "#56B4E9",
    "secondary; disagrees with the JNTO-based figures": "#D55E00",
    "derived ratio": "#56B4E9",
    "derived from the article (circular)": "#999999",
}


def colour(series: str) -> str:
    """The one colour of a series, a partner or a verdict in every figure."""
    for palette in (ENTITY_COLOURS, SERIES_COLOURS, VERDICT_COLOURS):
        if series in palette:
            return palette[series]
    raise KeyError(
        f"no colour for {series!r}: add it to helpers/colours.py (SERIES_COLOURS), "
        "never in a partner's colour"
    )


def palette(names) -> dict[str, str]:
    """{series: colour} for the names a figure draws (seaborn's ``palette=``)."""
    return {name: colour(name) for name in names}


VERDICT_COLOURS = {
    # the ledger's verdicts (helpers.claims.VERDICTS)
    "consistent": "#009E73",  # bluish green
    "approximately consistent": "#56B4E9",  # sky blue
    "inconsistent": "#D55E00",  # vermillion
    "not checkable": "#999999",  # grey
    # the external checks' verdicts (helpers.external.VERDICTS), same meaning, same colour
    "confirmed": "#009E73",
    # yellow: agrees, but only with the article's own source (no partner's colour)
    "same source": "#F0E442",
    # sky blue, as "different measure": a limit holds, the number itself is not confirmed
    "bound holds": "#56B4E9",
    "differs": "#D55E00",
    "different measure": "#56B4E9",  # sky blue: neither agrees nor disagrees on the same thing
    "not verifiable": "#999999",
}
VERDICT_SYMBOLS = {  # a second cue besides colour, for badges and legends
    "consistent": "\u2713",
    "approximately consistent": "\u2248",
    "inconsistent": "\u2717",
    "not checkable": "?",
    "confirmed": "\u2713",
    "same source": "\u2261",
    "bound holds": "\u2264",
    "differs": "\u2717",
    "different measure": "\u2260",
    "not verifiable": "?",
}
