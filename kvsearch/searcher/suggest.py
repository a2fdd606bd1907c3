""" "bedoelde u …?": for a search without hits, the query with each unknown word replaced by
the closest word of the index, and a party or ministry the index has no passages of by the
closest one it has."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from kvsearch import analysis
from kvsearch.analysis import vocabulary
from kvsearch.engine.reader import SearchableIndex
from kvsearch.query import Filter, ParsedQuery
from kvsearch.searcher.fields import TEXT_FIELDS
from kvsearch.searcher.filter_values import LISTED_FILTERS, close_values
from kvsearch.searcher.open import IndexInfo
from kvsearch.storage.generations import VOCABULARY, read_json


def suggestion(parsed: ParsedQuery, info: IndexInfo, index: SearchableIndex) -> str | None:
    """The query to suggest instead of ``parsed``, or None when nothing in it looks mistyped."""
    words = _suggested_words(parsed, info, index)
    filters = _suggested_filters(parsed.filters, index)
    if not filters:
        return words
    return " ".join([words or " ".join(parsed.words), *filters]).strip()


@lru_cache(maxsize=4)
def _vocabulary(path: str) -> tuple[dict[str, int], dict[str, list[str]]]:
    """A generation's surface words with their frequency, and grouped by first letter."""
    frequency = {str(w): int(n) for w, n in (read_json(Path(path)) or {}).items()}
    by_initial: dict[str, list[str]] = {}
    for word in frequency:
        by_initial.setdefault(word[:1], []).append(word)
    return frequency, by_initial


def _suggested_filters(filters: tuple[Filter, ...], index: SearchableIndex) -> list[str]:
    out = []
    for item in filters:
        if item.kind in LISTED_FILTERS:
            fieldname, typed, _noun = LISTED_FILTERS[item.kind]
            term = vocabulary.key(item.value)
            close = [] if index.doc_frequency(fieldname, term) else close_values(item.kind, fieldname, term, index)
            if close:
                out.append(f"{typed}:{close[0]}")
    return out


def _suggested_words(parsed: ParsedQuery, info: IndexInfo, index: SearchableIndex) -> str | None:
    """The query's words with each unknown one replaced by the closest word of the index (a
    word is unknown when the index has none of its terms: "in de" stays as it is)."""
    frequency, by_initial = _vocabulary(str(Path(info.path) / info.generation / VOCABULARY))
    if not frequency or not parsed.words:
        return None
    import difflib  # only a search without hits needs it

    changed = False
    out = []
    for word in parsed.words:
        folded = analysis.fold(word)
        if folded in frequency or _in_index(word, index):
            out.append(word)
            continue
        # Typos rarely hit the first letter, and comparing with every word is slow.
        candidates = [w for w in by_initial.get(folded[:1], ()) if abs(len(w) - len(folded)) <= 2]
        close = difflib.get_close_matches(folded, candidates, n=3, cutoff=0.75)
        if close:
            best = max(close, key=lambda w: (difflib.SequenceMatcher(None, folded, w).ratio(), frequency[w]))
            out.append(best)
            changed = True
        else:
            out.append(word)
    return " ".join(out) if changed else None


def _in_index(word: str, index: SearchableIndex) -> bool:
    terms = index.chain.terms(word, query=True)
    return bool(terms) and all(any(index.doc_frequency(field, term) for field in TEXT_FIELDS) for term in terms)
