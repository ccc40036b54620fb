"""Exercises: a solution records its answer; a student checks a practice answer, never a graded one.

A solution cell ends with ``answer("01-2", value, tolerance, use="graded")`` or
``written("01-4", text)``; both attach the answer to the cell's output under ``ANSWER``, so
``python -m tools.student`` builds the answer key from the executed notebooks and nothing is
typed twice. ``accepts`` is the one rule that says whether a number is right: ``check`` (the
student's self-check) and the grader both call it.

Practice exercises give instant feedback: the student edition carries their answers, encoded so
that a glance does not give them away (any right/wrong feedback can be searched, so this is no
lock, and practice exercises are not counted). Graded exercises get no feedback: ``check`` says
only whether the value has the expected form; ``make grade`` scores them.
"""

from __future__ import annotations

import base64
import hashlib
import math
import numbers
import struct

from IPython.display import display

ANSWER = "application/vnd.compendium.answer+json"  # a solution's answer (the key reads it)
SUBMITTED = "application/vnd.compendium.submitted+json"  # a student's answer, as check() saw it
USES = ("practice", "graded")
# the form a graded answer must have: unit -> (lowest, highest) allowed, inclusive
FORMS = {
    "fraction": (0.0, 1.0),
    "percent": (-100.0, 100.0),
    "count": (0.0, math.inf),
    "year": (1900.0, 2100.0),
    "number": (-math.inf, math.inf),
}


def accepts(value, answer: float, tolerance: float) -> bool:
    """The one rule: ``value`` is right when it is within ``tolerance`` of ``answer`` (inclusive;
    a relative 1e-9 absorbs the rounding of a value typed exactly on the edge)."""
    try:
        value = float(value)
    except (TypeError, ValueError, OverflowError):
        return False
    slack = 1e-9 * max(1.0, abs(answer))
    return math.isfinite(value) and abs(value - answer) <= tolerance + slack


def answer(
    exercise: str, value: float, tolerance: float, use: str = "practice", unit: str = "number"
) -> float:
    """Show and record a numeric answer; any value within ``tolerance`` of it is right."""
    if tolerance <= 0:
        raise ValueError(f"exercise {exercise}: tolerance must be positive, got {tolerance}")
    if use not in USES or unit not in FORMS:
        raise ValueError(f"exercise {exercise}: use is one of {USES}, unit one of {list(FORMS)}")
    value = float(value)
    record = {"exercise": exercise, "kind": "numeric", "answer": value, "tolerance": tolerance}
    record |= {"use": use, "unit": unit}
    text = f"Answer to exercise {exercise} ({use}): {value:g} (accepted within ±{tolerance:g})"
    display({ANSWER: record, "text/plain": text}, raw=True)
    return value


def written(exercise: str, text: str) -> None:
    """Show and record a model answer in prose (graded by the instructor)."""
    record = {"exercise": exercise, "kind": "written", "answer": text, "use": "graded"}
    display({ANSWER: record, "text/markdown": f"**Model answer {exercise}.** {text}"}, raw=True)


def _pad(exercise: str) -> bytes:
    return hashlib.sha256(f"practice|{exercise}".encode()).digest()[:8]


def encode(exercise: str, value: float) -> str:
    """A practice answer as the student edition carries it: not printed, not secret."""
    raw = struct.pack(">d", float(value))
    return base64.b64encode(bytes(a ^ b for a, b in zip(raw, _pad(exercise), strict=True))).decode()


def decode(exercise: str, text: str) -> float:
    raw = base64.b64decode(text)
    return struct.unpack(">d", bytes(a ^ b for a, b in zip(raw, _pad(exercise), strict=True)))[0]


def form_problem(value, unit: str) -> str | None:
    """Why ``value`` is not an answer of the form asked (a finite number in the unit's range)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return f"{value!r} is not a number: type the number (or the code that computes it)"
    low, high = FORMS[unit]
    if not math.isfinite(value) or not low <= value <= high:
        return f"{value:g} is not a {unit} (expected from {low:g} to {high:g})"
    return None


def say(text: str) -> None:
    """Markdown in a notebook, plain text anywhere else."""
    display({"text/markdown": text, "text/plain": text}, raw=True)


class Checker:
    """``check(exercise, value)`` in the student edition.

    ``exercises`` maps an exercise to ``("practice", encoded answer, tolerance)`` or
    ``("graded", unit)``. A practice answer is judged by ``accepts``; a graded one only for its
    form (no oracle: it is scored when the notebook is returned).
    """

    def __init__(self, exercises: dict[str, tuple]):
        self.exercises = exercises

    def __call__(self, exercise: str, value) -> bool | None:
        if exercise not in self.exercises:
            raise KeyError(f"no numeric exercise {exercise!r}; known: {sorted(self.exercises)}")
        if value is None or value is Ellipsis:
            say(f"Exercise {exercise}: replace `...` with your answer, then run.")
            return None
        use, *rest = self.exercises[exercise]
        if use == "graded":
            problem = form_problem(value, rest[0])
            said = problem or (
                f"{float(value):g} recorded; a graded exercise is scored when you return "
                "the notebook (no feedback before)"
            )
            say(f"Exercise {exercise}: {said}.")
            return None
        ok = accepts(value, decode(exercise, rest[0]), rest[1])
        verdict = "right" if ok else "not right yet: check your reading and arithmetic"
        shown = f"{float(value):g}" if isinstance(value, numbers.Real) else repr(value)
        text = f"Exercise {exercise}: {shown} is {verdict}"
        display({SUBMITTED: {"exercise": exercise}, "text/plain": text}, raw=True)
        return ok
