"""The kvsearch query language, checked before Whoosh sees it.

Pure Python. A query is free text (words, ``"phrases"``, ``OR``, ``NOT``/``-word``, ``prefix*``,
parentheses) plus field filters in Dutch users' own words (``partij:PVV``, ``ministerie:VWS``,
``datum:2024-01..2024-06`` …). This module splits the two, validates both and says in one line
what is wrong with a bad query, so that nothing slow or broken reaches the index.
"""

# No `from __future__ import annotations` here: typing.NamedTuple compiles every annotation
# written as a string when the class is made, and a one-line search imports this module.

import re
from datetime import date, timedelta
from typing import NamedTuple

from kvsearch.errors import QuerySyntaxError

MAX_QUERY_CHARS = 2000
MAX_TERMS = 300
MAX_NESTING = 20
MIN_PREFIX = 3

#: Filter names a user may type, mapped to the filter kvsearch applies.
FILTER_NAMES = {
    "partij": "party",
    "fractie": "party",
    "indiener": "asker",
    "lid": "asker",
    "vragensteller": "asker",
    "minister": "minister",
    "bewindspersoon": "minister",
    "staatssecretaris": "minister",
    "ministerie": "ministry",
    "departement": "ministry",
    "jaar": "year",
    "vergaderjaar": "session",
    "datum": "date",
    "nr": "number",
    "nummer": "number",
    "status": "status",
    "soort": "kind",
    "id": "doc_id",
}
STATUSES = {
    "beantwoord": "beantwoord",
    "onbeantwoord": "onbeantwoord",
    "open": "onbeantwoord",
    "uitgesteld": "uitgesteld",
    "uitstel": "uitgesteld",
}
KINDS = {"antwoord": "antwoord", "vragen": "vragen", "mededeling": "mededeling"}

# A question mark that ends a word is punctuation ("Wat doet de NZa?"), not a one-letter
# wildcard: pasted questions must stay plain natural-language queries.
_QUESTION_MARK = re.compile(r"(?<=[^\s*?(])[?!]+(?=[\s)]|$)|(?<=\S)\s+[?!]+(?=\s|$)")
# A filter's value may be quoted (partij:"Nieuw Sociaal Contract"); "https://…" is a web
# address, not a field. A quoted phrase is matched whole, so "zie ook:" inside one stays text.
_FILTER = re.compile(r'(?<![\w"])(?P<name>[A-Za-z]+):(?!//)(?P<value>"[^"]*"|[^\s()"]+)')
_FILTER_OR_PHRASE = re.compile(rf'{_FILTER.pattern}|"[^"]*"')
#: Queries with more words than this are read as natural language (a pasted question): no
#: operators, and nothing in them is a syntax error.
NATURAL_LANGUAGE_WORDS = 6
#: The query language's operators, which are words only in upper case.
OPERATORS = frozenset(("AND", "OR", "NOT", "EN", "OF", "NIET"))


class Filter(NamedTuple):
    kind: str  # a value of FILTER_NAMES
    value: str  # normalised: "2023-2024", "onbeantwoord", …
    start: date | None = None  # date filters: inclusive range
    end: date | None = None


class ParsedQuery(NamedTuple):
    text: str  # the free-text part, for the full-text parser
    filters: tuple[Filter, ...] = ()
    natural: bool = False  # natural language: any word may match, symbols are punctuation

    @property
    def words(self) -> list[str]:
        """The plain words of the free text (no operators, quotes or wildcards)."""
        return [w for w in re.findall(r"[^\W_][\w'’-]*", self.text) if w not in OPERATORS]

    @property
    def is_plain(self) -> bool:
        """True when the text is only words: no quotes, operators, groups or wildcards."""
        # A "+" that ends a word is part of it (HoNOS+); only one before a word is an operator.
        return not re.search(r'["()*?]|(?:^|\s)[-+]\w', self.text) and not any(
            w in OPERATORS for w in self.text.split()
        )


def parse_query(text: str, extra_filters: list[Filter] | None = None) -> ParsedQuery:
    """Split ``text`` into free text and filters, and validate it.

    Raises:
        QuerySyntaxError: with a one-line message that points at the problem.
    """
    if len(text) > MAX_QUERY_CHARS:
        raise QuerySyntaxError(f"query too long ({len(text)} characters; at most {MAX_QUERY_CHARS})")
    if re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", text):
        raise QuerySyntaxError("query contains control characters")
    text = " ".join(text.replace("\t", " ").replace("\n", " ").split())
    filters: list[Filter] = list(extra_filters or [])
    natural = _natural_language(text)
    if natural is not None:
        free, found = natural
        return ParsedQuery(text=free, filters=tuple(filters + found), natural=True)
    if text.count('"') % 2:
        raise QuerySyntaxError(
            f"unbalanced quote at position {text.rfind(chr(34)) + 1}: {_excerpt(text, text.rfind(chr(34)))}"
        )
    free, found = _take_filters(text, strict=True)
    free = _outside_quotes(free, lambda part: _QUESTION_MARK.sub("", part))
    free = " ".join(free.split())
    _check_text(free)
    if not free and not filters and not found:
        raise QuerySyntaxError("empty query: type words to search for, or a filter such as partij:PVV")
    return ParsedQuery(text=free, filters=tuple(filters + found))


def _natural_language(text: str) -> tuple[str, list[Filter]] | None:
    """The free text and filters of a query with more than ``NATURAL_LANGUAGE_WORDS`` words,
    or None for a shorter one. A pasted question holds web addresses, stray quotes and
    symbols ("HoNOS+"): only well-formed filters are taken from it, the rest is its text."""
    free, found = _take_filters(text, strict=False)
    free = " ".join(free.split())
    if len(ParsedQuery(free).words) <= NATURAL_LANGUAGE_WORDS:
        return None
    return free, found


def _take_filters(text: str, *, strict: bool) -> tuple[str, list[Filter]]:
    """``text`` without its filters, and the filters. ``strict``: an unknown field or a bad
    value is an error; otherwise it stays in the text."""
    found: list[Filter] = []

    def take(match: re.Match[str]) -> str:
        if match.group("name") is None:
            return match.group()  # a quoted phrase
        name = match.group("name").lower()
        value = match.group("value").strip('"').strip()
        try:
            found.append(_named_filter(name, match.group("name"), value))
        except QuerySyntaxError:
            if strict:
                raise
            return match.group()
        return " "

    return _FILTER_OR_PHRASE.sub(take, text), found


def _named_filter(name: str, typed: str, value: str) -> Filter:
    if name not in FILTER_NAMES:
        known = ", ".join(sorted(set(FILTER_NAMES) - {"fractie", "lid", "nummer", "departement", "bewindspersoon"}))
        raise QuerySyntaxError(f"unknown field '{typed}:' (known fields: {known})")
    if not value:
        raise QuerySyntaxError(f"field '{name}:' needs a value")
    return make_filter(FILTER_NAMES[name], value)


def make_filter(kind: str, value: str) -> Filter:
    """A validated filter; also used by the CLI options (``--partij`` …).

    Raises:
        QuerySyntaxError: the value is not valid for the filter.
    """
    value = value.strip()
    if kind == "session":
        found = re.fullmatch(r"(\d{4})\s*[-–/]?\s*(\d{2}|\d{4})", value)
        if not found:
            raise QuerySyntaxError(f"vergaderjaar must look like 2023-2024, not {value!r}")
        start = int(found.group(1))
        return Filter(kind, f"{start}-{start + 1}")
    if kind == "year":
        if re.fullmatch(r"\d{4}\s*[-–/]\s*\d{4}", value):
            return make_filter("session", value)
        if not re.fullmatch(r"\d{4}", value):
            raise QuerySyntaxError(f"jaar must be a year such as 2024, not {value!r}")
        year = int(value)
        return Filter("date", value, date(year, 1, 1), date(year, 12, 31))
    if kind == "date":
        first, last = parse_date_range(value)
        return Filter("date", value, first, last)
    if kind == "status":
        if value.lower() not in STATUSES:
            raise QuerySyntaxError(f"status must be one of beantwoord, onbeantwoord, uitgesteld; not {value!r}")
        return Filter(kind, STATUSES[value.lower()])
    if kind == "kind":
        if value.lower() not in KINDS:
            raise QuerySyntaxError(f"soort must be one of antwoord, vragen, mededeling; not {value!r}")
        return Filter(kind, KINDS[value.lower()])
    if kind == "number" and not re.fullmatch(r"\d{1,5}|\d{4}Z\d{5}", value):
        raise QuerySyntaxError(f"nr must be a document number such as 1064, not {value!r}")
    if kind == "asker":
        from kvsearch.analysis.vocabulary import without_initials  # only an asker filter needs it

        # Every asker is indexed under the name without initials too, so "W.S. van Haga" finds
        # the documents whose text says "Van Haga" and those whose metadata says "W.S. van Haga".
        return Filter(kind, without_initials(value))
    return Filter(kind, value)


def parse_date_range(value: str) -> tuple[date | None, date | None]:
    """ "2024-01..2024-06" -> (2024-01-01, 2024-06-30); "2024-02-16"; "2024"; open ends allowed."""
    if ".." in value:
        low, _, high = value.partition("..")
        start = _date_bound(low, first=True) if low else None
        end = _date_bound(high, first=False) if high else None
        if start is None and end is None:
            raise QuerySyntaxError("a date range needs at least one end, e.g. datum:2024-01..2024-06")
        if start and end and start > end:
            raise QuerySyntaxError(f"date range {value!r} ends before it starts")
        return start, end
    return _date_bound(value, first=True), _date_bound(value, first=False)


def _date_bound(text: str, *, first: bool) -> date:
    found = re.fullmatch(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", text.strip())
    if not found:
        raise QuerySyntaxError(f"not a date: {text!r} (use 2024, 2024-03 or 2024-03-15)")
    year = int(found.group(1))
    month = int(found.group(2) or (1 if first else 12))
    try:
        if found.group(3):
            return date(year, month, int(found.group(3)))
        if first:
            return date(year, month, 1)
        return last_day_of_month(year, month)
    except (ValueError, OverflowError):
        raise QuerySyntaxError(f"not a date: {text!r}") from None


def last_day_of_month(year: int, month: int) -> date:
    """The last day of ``month`` in ``year``, without importing the calendar module into every
    one-liner."""
    if month == 12:
        return date(year, 12, 31)
    return date(year, month + 1, 1) - timedelta(days=1)


def _outside_quotes(text: str, change: object) -> str:
    parts = re.split(r'("[^"]*")', text)
    return "".join(part if part.startswith('"') else change(part) for part in parts)  # type: ignore[operator]


def _check_text(text: str) -> None:
    depth = 0
    deepest = 0
    in_quote = False
    for position, char in enumerate(text):
        if char == '"':
            in_quote = not in_quote
        elif in_quote:
            continue
        elif char == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif char == ")":
            depth -= 1
            if depth < 0:
                raise QuerySyntaxError(f"unbalanced ')' at position {position + 1}: {_excerpt(text, position)}")
    if depth > 0:
        raise QuerySyntaxError(f"unbalanced '(': {depth} not closed")
    if deepest > MAX_NESTING:
        raise QuerySyntaxError(f"too many nested parentheses ({deepest}; at most {MAX_NESTING})")
    tokens = re.findall(r'"[^"]*"|[()]|[^\s()"]+', text)
    if len(tokens) > MAX_TERMS:
        raise QuerySyntaxError(f"query has too many words ({len(tokens)}; at most {MAX_TERMS})")
    for index, token in enumerate(tokens):
        if token in OPERATORS:
            before = tokens[index - 1] if index else None
            after = tokens[index + 1] if index + 1 < len(tokens) else None
            needs_left = token not in ("NOT", "NIET")
            if (
                after is None
                or after in OPERATORS - {"NOT", "NIET"}
                or after == ")"
                or (needs_left and (before is None or before in OPERATORS or before == "("))
            ):
                raise QuerySyntaxError(f"operator {token} needs words on {'both sides' if needs_left else 'its right'}")
            # the word before, a lone sign ("-") not counted
            previous = next((t for t in reversed(tokens[:index]) if t.strip("+-")), None)
            if not needs_left and previous in ("NOT", "NIET"):
                raise QuerySyntaxError(f"operator {previous} needs a word on its right, not another {token}")
        if token.startswith('"'):
            if not token.strip('"').strip():
                raise QuerySyntaxError('empty phrase "" in query')
            continue
        bare = token.lstrip("+-")
        if "*" in bare or "?" in bare:
            literal = re.split(r"[*?]", bare)[0]
            if len(literal) < MIN_PREFIX:
                raise QuerySyntaxError(
                    f"wildcard {token!r} needs at least {MIN_PREFIX} letters before '*' or '?' "
                    "(a leading wildcard would scan the whole vocabulary)"
                )


def _excerpt(text: str, position: int) -> str:
    start = max(0, position - 15)
    return ("…" if start else "") + text[start : position + 15]


def search_filters(
    partij: list[str] | None = None,
    indiener: list[str] | None = None,
    minister: list[str] | None = None,
    ministerie: list[str] | None = None,
    jaar: str | None = None,
    vergaderjaar: str | None = None,
    since: str | None = None,
    until: str | None = None,
    status: str | None = None,
) -> list[Filter]:
    """The filters given as command-line options (``--partij PVV`` is ``partij:PVV``)."""
    out: list[Filter] = []
    for kind, values in (("party", partij), ("asker", indiener), ("minister", minister), ("ministry", ministerie)):
        out.extend(make_filter(kind, v) for v in values or [])
    if jaar:
        out.append(make_filter("year", jaar))
    if vergaderjaar:
        out.append(make_filter("session", vergaderjaar))
    if since or until:
        out.append(make_filter("date", f"{since or ''}..{until or ''}"))
    if status:
        out.append(make_filter("status", status))
    return out
