"""The values a party or ministry filter may take: those the index has, and the known names."""

from __future__ import annotations

from kvsearch.analysis import vocabulary
from kvsearch.engine.reader import SearchableIndex
from kvsearch.errors import QuerySyntaxError
from kvsearch.query import Filter

#: Filters whose values come from a fixed list (kvsearch.analysis.vocabulary): the field they
#: search, the filter as typed, and its noun in messages.
LISTED_FILTERS = {"party": ("parties", "partij", "party"), "ministry": ("ministry", "ministerie", "ministry")}


def check_filter_values(filters: tuple[Filter, ...], index: SearchableIndex) -> None:
    """Refuse a party or ministry that is neither a known name nor in the index.

    A known party the index has no passages of (``partij:GroenLinks`` after the merger) is
    a search without hits, with a suggestion; an unknown one (``partij:XYZ``) is a typo to
    be told about, with the values that are close or else all values the index has.

    Raises:
        QuerySyntaxError: names the filter and lists the close values.
    """
    for item in filters:
        if item.kind not in LISTED_FILTERS:
            continue
        fieldname, typed, noun = LISTED_FILTERS[item.kind]
        term = vocabulary.key(item.value)
        if index.doc_frequency(fieldname, term) or vocabulary.is_listed(item.kind, term):
            continue
        close = close_values(item.kind, fieldname, term, index)
        if close:
            listing = f"close: {', '.join(close)}"
        else:
            listing = f"in this index: {', '.join(_values(item.kind, fieldname, index)) or 'none'}"
        raise QuerySyntaxError(f"unknown {noun} in {typed}:{item.value} ({listing})")


def _values(kind: str, fieldname: str, index: SearchableIndex) -> list[str]:
    """The names a filter panel shows for the values the index has (one per value)."""
    labels = (vocabulary.facet_label(kind, value) for value in index.values(fieldname))
    return sorted({label for label in labels if label}, key=str.casefold)


def close_values(kind: str, fieldname: str, term: str, index: SearchableIndex) -> list[str]:
    """Values of the index spelled like ``term``, or containing it ("groenlinks")."""
    import difflib  # only a mistyped filter needs it

    indexed = index.values(fieldname)
    close = difflib.get_close_matches(term, indexed, n=5, cutoff=0.6)
    close += [value for value in indexed if len(term) >= 3 and term in value]
    labels = (vocabulary.label_of(kind, value) for value in close)
    return list(dict.fromkeys(label for label in labels if label))
