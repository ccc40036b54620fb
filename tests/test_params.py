"""Parameter checks give one clear sentence naming the parameter and what is allowed."""

import pytest

from helpers.params import ParameterError, check


def test_accepts_good_values():
    assert check("tolerance", 0.05, float, minimum=0.0, maximum=0.5) == 0.05
    assert check("tolerance", 0, float, minimum=0.0, maximum=0.5) == 0.0  # papermill int
    assert check("reading", "fiscal", str, choices=("fiscal", "calendar")) == "fiscal"


@pytest.mark.parametrize(
    ("value", "kwargs", "message"),
    [
        (
            "abc",
            {"minimum": 0.0, "maximum": 0.5},
            "Parameter 'x' must be a float from 0.0 to 0.5; got 'abc'.",
        ),
        (
            0.9,
            {"minimum": 0.0, "maximum": 0.5},
            "Parameter 'x' must be a float from 0.0 to 0.5; got 0.9.",
        ),
        (True, {}, "Parameter 'x' must be float; got True."),
        (-1.0, {"minimum": 0.0}, "Parameter 'x' must be a float of at least 0.0; got -1.0."),
    ],
)
def test_rejects_bad_values(value, kwargs, message):
    with pytest.raises(ParameterError) as caught:
        check("x", value, float, **kwargs)
    assert str(caught.value) == message


def test_choices():
    with pytest.raises(ParameterError, match=r"must be one of \['a', 'b'\]; got 'c'"):
        check("x", "c", str, choices=("a", "b"))
