"""How long answers take: days from question to answer per ministry and parliamentary year.

Counted from each answer's own dates: when it was submitted and when answered. An answer
that does not repeat the questions' date (answers extracted from a DOCX often do not) has it
when the questions are in the corpus too: the index keeps the answer and takes the date over.
"""

from __future__ import annotations

import math
import os
import re
import statistics
from typing import Any, NamedTuple

from kvsearch.follow.matches import documents_of_kind, iso_day
from kvsearch.follow.overdue import TERM
from kvsearch.models import KIND_ANSWERED

#: "Sociale Zaken en Werkgelegenheid – Staatssecretaris …": the ministry is the part before the dash.
_MINISTRY_END = re.compile(r"\s+[–—-]\s+")


class DelayRow(NamedTuple):
    """The answer delays of one ministry in one parliamentary year."""

    ministry: str
    year: str
    answers: int
    median_days: float
    p90_days: int
    within_term: float  # share answered within three weeks, 0..1

    def to_json(self) -> dict[str, Any]:
        return {
            "ministry": self.ministry,
            "year": self.year,
            "answers": self.answers,
            "median_days": self.median_days,
            "p90_days": self.p90_days,
            "within_three_weeks": round(self.within_term, 4),
        }


class Delays(NamedTuple):
    rows: list[DelayRow]
    #: Answers left out: no date of the question or of the answer, or an answer dated before its question.
    undated: int


def percentile(values: list[int], share: float) -> int:
    """The nearest-rank percentile: the smallest value with at least ``share`` of the values at
    or below it (one of the values, so a hand count can check it)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def answer_delays(*, index_dir: str | os.PathLike[str]) -> Delays:
    """Delay figures per ministry (of the answering minister) and parliamentary year.

    Raises:
        IndexMissingError: no usable index.
    """
    groups: dict[tuple[str, str], list[int]] = {}
    undated = 0
    for meta in documents_of_kind(KIND_ANSWERED, index_dir=index_dir).values():
        answered = iso_day(meta.get("date_answered"))
        submitted = iso_day(meta.get("date_submitted"))
        if answered is None or submitted is None or answered < submitted:
            undated += 1
            continue
        key = (ministry_of(meta), str(meta.get("year") or "?"))
        groups.setdefault(key, []).append((answered - submitted).days)
    rows = [
        DelayRow(
            ministry=ministry,
            year=year,
            answers=len(days),
            median_days=float(statistics.median(days)),
            p90_days=percentile(days, 0.9),
            within_term=sum(1 for d in days if d <= TERM.days) / len(days),
        )
        for (ministry, year), days in sorted(groups.items())
    ]
    return Delays(rows, undated)


def ministry_of(meta: dict[str, Any]) -> str:
    answerer = meta.get("answered_by") or {}
    ministry = answerer.get("ministry") if isinstance(answerer, dict) else None
    return _MINISTRY_END.split(ministry)[0] if isinstance(ministry, str) and ministry else "?"
