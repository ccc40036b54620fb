"""Check notebook parameters in the first cells, with one clear sentence on failure."""

from __future__ import annotations


class ParameterError(ValueError):
    """A notebook parameter of the wrong type or out of range."""


def check(name: str, value, kind: type, *, minimum=None, maximum=None, choices=None):
    """Return ``value`` if it is a ``kind`` within bounds; otherwise raise ParameterError."""
    allowed = kind.__name__
    if choices is not None:
        allowed = f"one of {list(choices)}"
    elif minimum is not None and maximum is not None:
        allowed = f"a {kind.__name__} from {minimum} to {maximum}"
    elif minimum is not None:
        allowed = f"a {kind.__name__} of at least {minimum}"
    ok_type = isinstance(value, kind) and not (kind is not bool and isinstance(value, bool))
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        ok_type, value = True, float(value)  # papermill passes 1 for 1.0
    ok = ok_type and (choices is None or value in choices)
    ok = ok and (minimum is None or value >= minimum) and (maximum is None or value <= maximum)
    if not ok:
        raise ParameterError(f"Parameter '{name}' must be {allowed}; got {value!r}.")
    return value
