"""Choosing between the passages of one document: the one where the query's specific words meet.

A document's passages share its subject line and much of its vocabulary, so BM25F scores
siblings close together and often puts a neighbour of the passage that answers first. Among
the best hits of a pasted question, the passages of each document are re-ordered by what sets
them apart from their siblings: query words that occur in few of the document's passages count
for more than words in all of them, a match in the passage's own question or in the first
sentences of its answer counts extra, and the words of the pasted question's questions count
for more than those of its preamble. A passage that uses an abbreviation the document defines
("KOZP") has the words of its long form ("Kick Out Zwarte Piet"), and the other way round; so
does one that uses an abbreviation the corpus's documents define alike ("VN", "Verenigde
Naties") where its own document does not define it.
The document keeps the places its passages held; only which of its passages stands where
changes, so the ranking between documents stays as it came (the engine's, re-ranked by
:mod:`between_documents`).

Typed queries of a few words keep the engine's order: a word found in one sibling only is as
often a side remark as the point, and the field-weighted score judges them better.

It runs on the top candidates only: the stored passages of the few documents with more than
one candidate and one among the hits shown, analysed with the index's own chain (words cached).
"""

from __future__ import annotations

import math
import re
import weakref
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from kvsearch.analysis import AnalyzerChain, abbreviations
from kvsearch.engine.reader import SearchableIndex
from kvsearch.storage.recorded_terms import known_abbreviations

#: Hits considered for re-ordering: the top of the engine's ranking, a little beyond a page,
#: so a sibling just below the shown hits can take its document's place.
CANDIDATES = 20
#: How much the within-document score weighs against the engine's score (both scaled to the
#: document's best candidate).
WITHIN_WEIGHT = 1.5
#: A query word in the passage's own question, in its answer, in the answer's first sentences
#: (where an answer says what it is about).
QUESTION_WEIGHT = 1.0
ANSWER_WEIGHT = 0.5
LEAD_WEIGHT = 0.5
LEAD_SENTENCES = 2

#: A word only in the preamble of a pasted question, against one in its questions.
PREAMBLE_WEIGHT = 0.15

#: Per open index, the profiles of the passages of the documents re-ordered lately, kept for
#: the next searches (a generation never changes; related questions, and a question being
#: typed, bring the same documents back). Emptied when it holds this many documents, to bound
#: its memory.
CACHED_DOCUMENTS = 200
_PROFILES: weakref.WeakKeyDictionary[
    SearchableIndex, dict[str, tuple[abbreviations.Abbreviations, dict[str, _Profile]]]
] = weakref.WeakKeyDictionary()

# A sentence ends at . ? ! ; followed by a space or the end, or at a line break.
_SENTENCE_END = re.compile(r"(?<=[.?!;])\s+|\n+")

Scored = tuple[dict[str, Any], float]


def reorder(index: SearchableIndex, found: list[Scored], terms: set[str], text: str, shown: int) -> list[Scored]:
    """``found`` (best first) with each document's passages re-ordered among the places they
    hold, by the engine's score and by how well each matches ``terms`` apart from its siblings.
    ``text``: the query's text; in a pasted question, the words of its questions (the
    sentences that end in "?") weigh more than those of the preamble that sets the scene.
    Only documents with a passage among the first ``shown`` are re-ordered: below them the
    order is not seen."""
    if len(found) < 2 or not terms or not text:
        return found
    places: dict[str, list[int]] = defaultdict(list)
    for place, (stored, _score) in enumerate(found):
        places[stored.get("doc_id", "")].append(place)
    shared = {doc_id: held for doc_id, held in places.items() if doc_id and len(held) > 1 and held[0] < shown}
    if not shared:
        return found
    weights = term_weights(index, terms, asked_terms(index, text, terms))
    out = list(found)
    for doc_id, held in shared.items():
        defined, kept = _document_profiles(index, doc_id)
        profiles = dict(kept)
        members = [found[place] for place in held]
        for stored, _score in members:  # a candidate the document lookup missed still counts
            if stored["passage_id"] not in profiles:
                profiles[stored["passage_id"]] = _Profile(stored, index, defined)
        within = _within_scores(profiles, weights, [stored["passage_id"] for stored, _ in members])
        best_engine = max(score for _stored, score in members) or 1.0
        best_within = max(within.values()) or 1.0

        combined = {
            stored["passage_id"]: score / best_engine + WITHIN_WEIGHT * within[stored["passage_id"]] / best_within
            for stored, score in members
        }
        ordered = sorted(members, key=lambda member: combined[member[0]["passage_id"]], reverse=True)
        for place, member in zip(held, ordered, strict=True):
            out[place] = member
    return out


def _document_profiles(index: SearchableIndex, doc_id: str) -> tuple[abbreviations.Abbreviations, dict[str, _Profile]]:
    """The abbreviations of the document (those it defines, and those the corpus's documents
    define alike) and the profiles of its passages, kept for the next searches of ``index``."""
    kept = _PROFILES.setdefault(index, {})
    found = kept.get(doc_id)
    if found is None:
        if len(kept) >= CACHED_DOCUMENTS:
            kept.clear()
        siblings = index.stored_passages(doc_id)
        own = abbreviations.definitions(
            [part for stored in siblings for part in (stored.get("question") or "", stored.get("answer") or "")]
        )
        defined = abbreviations.Abbreviations({**known_abbreviations(index.folder), **own})
        profiles = {stored["passage_id"]: _Profile(stored, index, defined) for stored in siblings}
        found = kept[doc_id] = (defined, profiles)
    return found


def asked_terms(index: SearchableIndex, text: str, terms: set[str]) -> set[str]:
    """The terms of ``text``'s questions, when it is a pasted question with a preamble: all of
    ``terms`` otherwise."""
    parts = sentences(text)
    asked = [s for s in parts if s.rstrip().endswith("?")]
    if not asked or len(asked) == len(parts):
        return terms
    return terms & set(index.chain.terms(" ".join(asked), query=True))


def term_weights(index: SearchableIndex, terms: Iterable[str], asked: set[str]) -> dict[str, float]:
    """Each term's inverse document frequency over the whole index (question and answer),
    less for a term only in the preamble of a pasted question."""
    total = max(1, index.doc_count())
    weights = {}
    for term in terms:
        df = max(index.doc_frequency("question", term), index.doc_frequency("answer", term))
        if df:
            weights[term] = math.log(1 + total / df) * (1.0 if term in asked else PREAMBLE_WEIGHT)
    return weights


class _Profile:
    """The index terms of a passage's question, its answer and its answer's first sentences;
    an abbreviation ``defined`` by the document brings the terms of its long form, and the
    long form those of the abbreviation."""

    __slots__ = ("answer", "lead", "question")

    def __init__(self, stored: dict[str, Any], index: SearchableIndex, defined: abbreviations.Abbreviations) -> None:
        chain = index.chain
        answer = stored.get("answer") or ""
        question = stored.get("question") or ""
        self.question = text_terms(chain, " ".join([question, *defined.other_forms(question)]))
        self.answer = text_terms(chain, " ".join([answer, *defined.other_forms(answer)]))
        self.lead = text_terms(chain, " ".join(sentences(answer)[:LEAD_SENTENCES]))


def sentences(text: str) -> list[str]:
    return [part for part in _SENTENCE_END.split(text) if part.strip()]


def text_terms(chain: AnalyzerChain, text: str) -> set[str]:
    """The index terms of ``text``, each distinct word analysed once (cached by the chain),
    with those of its separable verbs written apart."""
    index_terms = chain.index_terms
    text = text.replace("_", " ")
    found = {term for raw in set(chain.word_pattern.findall(text)) for term in index_terms(raw)}
    return found | chain.split_verb_terms(text)


def _within_scores(profiles: dict[str, _Profile], weights: dict[str, float], members: list[str]) -> dict[str, float]:
    """Per member passage, the weight of the query terms it has, each term weighted by its
    rarity in the index and among the document's passages."""
    count = len(profiles)
    spread = {term: sum(1 for p in profiles.values() if term in p.question or term in p.answer) for term in weights}
    # A term in every passage of the document cannot tell them apart: log(1 + n/df) - log 2
    # is zero there and grows as fewer siblings have it.
    telling = {
        term: weight * (math.log(1 + count / spread[term]) - math.log(2))
        for term, weight in weights.items()
        if spread[term]
    }
    scores = {}
    for passage_id in members:
        profile = profiles[passage_id]
        score = 0.0
        for term, weight in telling.items():
            score += weight * (
                QUESTION_WEIGHT * (term in profile.question)
                + ANSWER_WEIGHT * (term in profile.answer)
                + LEAD_WEIGHT * (term in profile.lead)
            )
        scores[passage_id] = score
    return scores
