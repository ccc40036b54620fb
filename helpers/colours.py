"""The one palette: each entity and each verdict has one colour in every notebook and on the site.

Kept apart from ``helpers.plotting`` so that the site's badges read it without importing
matplotlib or seaborn (3 s). The hues are Okabe and Ito's colour-blind-safe set; a verdict's
colour always comes with its word (legend, badge), never alone.
"""

ENTITY_COLOURS = {
    "United States": "#0072B2",  # blue
    "China": "#E69F00",  # orange
    "South Korea": "#CC79A7",  # reddish purple
    "all affiliations": "#000000",  # black: the total every partner is a part of
    "other partners": "#999999",  # grey
}
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
