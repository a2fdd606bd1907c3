"""Dutch dates in the text ("16 februari 2024") and the parliamentary year a date falls in."""

from __future__ import annotations

import re
from datetime import date

MONTHS = {
    name: number
    for number, name in enumerate(
        "januari februari maart april mei juni juli augustus september oktober november december".split(),
        start=1,
    )
}
DATE_PATTERN = r"(\d{1,2})\s*(" + "|".join(MONTHS) + r")\s*(\d{4})"


def parliamentary_year(day: date) -> str:
    """The parliamentary year ("vergaderjaar") a date falls in: it starts on the third
    Tuesday of September (Prinsjesdag)."""
    first = date(day.year, 9, 1)
    prinsjesdag = first.replace(day=1 + (1 - first.weekday()) % 7 + 14)
    start = day.year if day >= prinsjesdag else day.year - 1
    return f"{start}-{start + 1}"


def parse_date(text: str) -> str | None:
    """ "16 februari 2024" -> "2024-02-16" (None when it is no valid date)."""
    match = re.search(DATE_PATTERN, text)
    if not match:
        return None
    try:
        return date(int(match.group(3)), MONTHS[match.group(2)], int(match.group(1))).isoformat()
    except ValueError:
        return None


def to_date(iso: str | None) -> date | None:
    return date.fromisoformat(iso) if iso else None
