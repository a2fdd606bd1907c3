"""Choosing between documents for a pasted question: the one that has more of what is asked.

A question in the asker's own words shares only a few words with the passage that answers it,
and a document on a nearby subject (another question about the same spokesman, the same
asylum seekers) often shares as many; BM25F then ranks on a word or two that the neighbour
happens to repeat. Two things tell the documents apart better: how much of the question the
document speaks of anywhere (its subject line and all its passages: an asker's question is
about the whole matter, not only the sentence that answers), and whether the passage has the
question's words together in one sentence (the words of one question meet in the sentence that
answers it, a neighbour's share them scattered). Both count each query word by its rarity, so a
document is not preferred for the common words of the question.

It re-ranks the engine's best candidates only, before the passages of each document are
ordered among themselves (:mod:`within_document`); typed queries of a few words keep the
engine's order, as they do there.
"""

from __future__ import annotations

import weakref
from typing import Any

from kvsearch.engine.reader import SearchableIndex
from kvsearch.searcher.within_document import asked_terms, sentences, term_weights, text_terms

#: How much the two coverages (each 0 to 1: the share of the query's weight that the document
#: has, and that the passage's best sentence has) weigh against the engine's score scaled to
#: the best candidate's.
COVERAGE_WEIGHT = 1.5

#: Per open index, the index terms of each document and of each passage's sentences, kept
#: for the next searches (a generation never changes; the same documents come back for
#: related questions). Emptied when it holds this many entries (a search adds one per passage
#: of its candidates' documents, and one per document), to bound its memory.
CACHED_ENTRIES = 4_000
_CACHE: weakref.WeakKeyDictionary[SearchableIndex, dict[str, Any]] = weakref.WeakKeyDictionary()

Scored = tuple[dict[str, Any], float]


def rerank(index: SearchableIndex, found: list[Scored], terms: set[str], text: str) -> list[Scored]:
    """``found`` (best first) ordered by the engine's score and by how much of ``terms`` each
    hit's document and best sentence have. ``text``: the query's text; the words of a pasted
    question's questions weigh more than those of its preamble (as within a document)."""
    if len(found) < 2 or not terms or not text:
        return found
    weights = term_weights(index, terms, asked_terms(index, text, terms))
    whole = sum(weights.values())
    if not whole:
        return found
    best = max(score for _stored, score in found) or 1.0
    cache = _CACHE.setdefault(index, {})
    if len(cache) > CACHED_ENTRIES:
        cache.clear()

    def share(words: set[str] | frozenset[str]) -> float:
        return sum(weight for term, weight in weights.items() if term in words) / whole

    def combined(hit: Scored) -> float:
        stored, score = hit
        document = share(_document_terms(index, stored, cache))
        sentence = max((share(words) for words in _sentence_terms(index, stored, cache)), default=0.0)
        return score / best + COVERAGE_WEIGHT * (document + sentence)

    scores = {id(hit): combined(hit) for hit in found}
    return sorted(found, key=lambda hit: scores[id(hit)], reverse=True)


def _document_terms(index: SearchableIndex, stored: dict[str, Any], cache: dict[str, Any]) -> frozenset[str]:
    """The index terms of the whole document of the passage ``stored``: its subject line and
    every passage (the passage's own when the document lookup finds none)."""
    key = "document " + stored.get("doc_id", "")
    if key not in cache:
        words: set[str] = text_terms(index.chain, stored.get("title") or "")
        for passage in index.stored_passages(stored.get("doc_id", "")) or [stored]:
            for sentence in _sentence_terms(index, passage, cache):
                words |= sentence
        cache[key] = frozenset(words)
    return cache[key]


def _sentence_terms(index: SearchableIndex, stored: dict[str, Any], cache: dict[str, Any]) -> list[frozenset[str]]:
    """The index terms of each sentence of the passage ``stored``'s question and answer."""
    key = "passage " + stored.get("passage_id", "")
    if key not in cache:
        text = " ".join(stored.get(field) or "" for field in ("question", "answer"))
        cache[key] = [frozenset(text_terms(index.chain, part)) for part in sentences(text)]
    return cache[key]
