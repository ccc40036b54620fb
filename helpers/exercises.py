"""Exercises: a solution records its answer; a student checks one without seeing it.

A solution cell ends with ``answer("01-2", value, tolerance)`` or ``written("01-4", text)``;
both attach the answer to the cell's output under ``ANSWER``, so ``python -m tools.student``
builds the answer key from the executed notebooks and nothing is typed twice. The student
edition carries only salted hashes: ``check("01-2", my_value)`` never shows the answer.
"""

from __future__ import annotations

import hashlib
import math

from IPython.display import Markdown, display

ANSWER = "application/vnd.compendium.answer+json"  # a solution's answer (the key reads it)
SUBMITTED = "application/vnd.compendium.submitted+json"  # a student's answer (grading reads it)


def digest(exercise: str, value: float, tolerance: float) -> str:
    """Salted hash of ``value`` rounded down to a multiple of ``tolerance``."""
    return hashlib.sha256(f"{exercise}|{math.floor(value / tolerance)}".encode()).hexdigest()[:16]


def answer(exercise: str, value: float, tolerance: float) -> float:
    """Show and record a numeric answer; any value within ``tolerance`` of it is right."""
    if tolerance <= 0:
        raise ValueError(f"exercise {exercise}: tolerance must be positive, got {tolerance}")
    value = float(value)
    record = {"exercise": exercise, "kind": "numeric", "answer": value, "tolerance": tolerance}
    text = f"Answer to exercise {exercise}: {value:g} (accepted within ±{tolerance:g})"
    display({ANSWER: record, "text/plain": text}, raw=True)
    return value


def written(exercise: str, text: str) -> None:
    """Show and record a model answer in prose (graded by the instructor)."""
    record = {"exercise": exercise, "kind": "written", "answer": text}
    display({ANSWER: record, "text/markdown": f"**Model answer {exercise}.** {text}"}, raw=True)


class Checker:
    """``check(exercise, value)`` in the student edition: right or not, never the answer.

    ``hashes`` maps an exercise to (digest, tolerance). A value within the tolerance of the
    answer is always accepted; one more than twice the tolerance away never is.
    """

    def __init__(self, hashes: dict[str, tuple[str, float]]):
        self.hashes = hashes

    def __call__(self, exercise: str, value) -> bool | None:
        if exercise not in self.hashes:
            raise KeyError(f"no numeric exercise {exercise!r}; known: {sorted(self.hashes)}")
        if value is None or value is Ellipsis:
            display(Markdown(f"Exercise {exercise}: replace `...` with your answer, then run."))
            return None
        expected, tolerance = self.hashes[exercise]
        value = float(value)
        ok = any(
            digest(exercise, value + step * tolerance, tolerance) == expected for step in (-1, 0, 1)
        )
        verdict = "right" if ok else "not right yet: check your reading and arithmetic"
        record = {"exercise": exercise, "value": value}
        display(
            {SUBMITTED: record, "text/plain": f"Exercise {exercise}: {value:g} is {verdict}"},
            raw=True,
        )
        return ok
