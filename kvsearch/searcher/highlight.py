"""A stored passage as a :class:`~kvsearch.results.Hit`: its fields, and the spans of the words
that matched the query (compound parts included), for highlighting."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from kvsearch import analysis
from kvsearch.results import Hit
from kvsearch.storage.recorded_terms import RecordedTerms


def highlight_spans(text: str, matched: set[str]) -> list[tuple[int, int]]:
    """Character spans of the words in ``text`` whose analysis hits a matched term."""
    return Highlighter(matched).spans(text)


class Highlighter:
    """Spans of the words whose analysis hits a ``matched`` term, in the texts of one search.

    The hits of a search share most of their words, so each distinct word is judged once for
    all of them, and a text's words are then picked by set operations. A word's terms are
    taken from ``recorded`` where it has them (the index terms the build recorded for each raw
    word, :mod:`kvsearch.storage.recorded_terms`: a look-up instead of an analysis); otherwise
    the word is analysed as a query (cached), and only a long word that contains a matched term
    is analysed fully, to find compound parts ("uitslag" in "verkiezingsuitslag"). Both give
    the same answer: a word's first index term is its query term.
    """

    def __init__(
        self, matched: set[str], recorded: RecordedTerms | None = None, verbs: set[str] | frozenset[str] = frozenset()
    ) -> None:
        self.matched = matched
        self.recorded = recorded
        #: Matched terms of separable verbs that a text may write apart (``in te trekken``):
        #: their two words are marked too. Looking for them costs a search of each text, so
        #: only a query that asks for such a verb has any.
        self.verbs = verbs
        self._parts = [term for term in matched if len(term) >= 3]
        self._judged: set[str] = set()
        self._hits: set[str] = set()
        #: The words of each text judged in advance (:meth:`judge`).
        self._words_of: dict[str, set[str]] = {}

    def judge(self, texts: Iterable[str]) -> None:
        """Judge the words of ``texts`` now, all in one look-up (the texts of all the hits)."""
        if self.matched:
            for text in texts:
                self._words_of.setdefault(text, set(analysis.words(text)))
            self._judge(set().union(*self._words_of.values()))

    def spans(self, text: str) -> list[tuple[int, int]]:
        if not self.matched:
            return []
        words = self._words_of.get(text)
        if words is None:
            words = set(analysis.words(text))
            self._judge(words)
        found = analysis.spans_of_words(text, words & self._hits)
        if self.verbs:
            apart = {
                span
                for term, verb, particle in analysis.SHIPPED.split_verb_spans(text)
                if term in self.verbs
                for span in (verb, particle)
            }
            if apart:
                found = sorted(apart.union(found))
        return found

    def _judge(self, words: set[str]) -> None:
        new = words - self._judged
        if not new:
            return
        self._judged |= new
        unrecorded = new
        if self.recorded is not None:
            # A word's first recorded term is its query term; the others (its compound
            # parts) count only for a long word that contains a matched term.
            recorded = self.recorded.sort_out(new, self.matched)
            self._hits |= recorded.first_term_asked
            self._hits.update(
                raw
                for raw, terms in recorded.with_parts.items()
                if self._contains_matched(terms[0]) and not self.matched.isdisjoint(terms)
            )
            unrecorded = recorded.unrecorded
        self._hits.update(raw for raw in unrecorded if self._word_hits(raw))

    def _word_hits(self, raw: str) -> bool:
        """Whether a word the record lacks hits, judged from its analysis: its first query
        term, and all of its index terms (its compound parts) only for a long word that
        contains a matched term."""
        first = analysis.word_terms(raw, query=True)
        if not first:
            return False
        term = first[0]
        if term in self.matched:
            return True
        if self._contains_matched(term):
            return any(t in self.matched for t in analysis.word_terms(raw, query=False))
        return False

    def _contains_matched(self, term: str) -> bool:
        """Whether a word's first term is long and contains a matched term: only then do its
        other terms (its compound parts) count."""
        return len(term) >= 7 and any(part in term for part in self._parts)


def highlighted_texts(stored: dict[str, Any]) -> dict[str, str]:
    """The texts of a passage's stored fields that a hit highlights, by field."""
    return {
        "title": (stored.get("document") or {}).get("title") or "",
        "question": stored.get("question", ""),
        "answer": stored.get("answer", ""),
    }


def hit_of(stored: dict[str, Any], score: float, matched: set[str] | Highlighter) -> Hit:
    """The hit for a passage's stored fields, its words of ``matched`` terms highlighted (a
    :class:`Highlighter` shared by the hits of one search judges each word once)."""
    highlighter = matched if isinstance(matched, Highlighter) else Highlighter(matched)
    texts = highlighted_texts(stored)
    questions = tuple(int(n) for n in (stored.get("questions") or "").split(",") if n)
    return Hit(
        passage_id=stored["passage_id"],
        doc_id=stored["doc_id"],
        questions=questions,
        question=texts["question"],
        answer=texts["answer"],
        score=float(score) if not math.isnan(score) else 0.0,
        document=dict(stored.get("document") or {}),
        notes=tuple(stored.get("notes") or ()),
        highlights={field: highlighter.spans(text) for field, text in texts.items()},
    )


def missing_words(hit: Hit, words: list[str]) -> tuple[str, ...]:
    """The query ``words`` that ``hit`` has no matched word for (a compound counts as found
    when all its parts are, as the search finds it)."""
    found: set[str] = set()
    texts = {"title": hit.document.get("title") or "", "question": hit.question, "answer": hit.answer}
    for field, spans in hit.highlights.items():
        for start, end in spans:
            found.update(analysis.word_terms(texts[field][start:end], query=False))
    missing = []
    for word in words:
        terms = analysis.word_terms(word, query=True)
        parts = analysis.query_parts(word)
        if terms and terms[0] not in found and not (parts and set(parts) <= found):
            missing.append(word)
    return tuple(missing)
