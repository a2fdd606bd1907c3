"""Counts of a search's hits by party, ministry and parliamentary year, for filter panels."""

from __future__ import annotations

from kvsearch.analysis import vocabulary
from kvsearch.engine import ranking
from kvsearch.engine.match_sets import MatchSet
from kvsearch.engine.reader import SearchableIndex

#: Facet name -> the indexed field its values come from.
FACET_FIELDS = {"party": "parties", "ministry": "ministry", "year": "year"}


def facet_counts(index: SearchableIndex, matches: MatchSet) -> dict[str, dict[str, int]]:
    """Per facet, the hits of a search (its ``matches``) by value, most first. The values are those the filters use
    (``partij:``, ``ministerie:``, ``vergaderjaar:``), so a count is what choosing it will find."""
    counts = ranking.value_counts(index, matches, FACET_FIELDS, vocabulary.facet_label)
    return {name: dict(counter.most_common()) for name, counter in counts.items()}


def prepare_facets(index: SearchableIndex) -> None:
    """Make what :func:`facet_counts` reads, so that the first search that counts facets does
    not wait for it."""
    ranking.prepare_value_counts(index, FACET_FIELDS)
