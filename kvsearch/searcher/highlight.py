"""A stored passage as a :class:`~kvsearch.results.Hit`: its fields, and the spans of the words
that matched the query (compound parts included), for highlighting."""

from __future__ import annotations

import math
from typing import Any

from kvsearch import analysis
from kvsearch.results import Hit


def highlight_spans(text: str, matched: set[str]) -> list[tuple[int, int]]:
    """Character spans of the words in ``text`` whose analysis hits a matched term."""
    return Highlighter(matched).spans(text)


class Highlighter:
    """Spans of the words whose analysis hits a ``matched`` term, in the texts of one search.

    The hits of a search share most of their words, so each distinct word is judged once for
    all of them, and a text's words are then picked by set operations. A word is analysed as a
    query (cheap, cached); only a long word that contains a matched term is analysed fully, to
    find compound parts ("uitslag" in "verkiezingsuitslag").
    """

    def __init__(self, matched: set[str]) -> None:
        self.matched = matched
        self._parts = [term for term in matched if len(term) >= 3]
        self._judged: set[str] = set()
        self._hits: set[str] = set()

    def spans(self, text: str) -> list[tuple[int, int]]:
        if not self.matched:
            return []
        words = set(analysis.words(text))
        new = words - self._judged
        if new:
            self._hits.update(raw for raw in new if self._word_hits(raw))
            self._judged |= new
        return analysis.spans_of_words(text, words & self._hits)

    def _word_hits(self, raw: str) -> bool:
        found = analysis.word_terms(raw, query=True)
        if not found:
            return False
        term = found[0]
        if term in self.matched:
            return True
        if len(term) >= 7 and any(part in term for part in self._parts):
            return any(t in self.matched for t in analysis.word_terms(raw, query=False))
        return False


def hit_of(stored: dict[str, Any], score: float, matched: set[str] | Highlighter) -> Hit:
    """The hit for a passage's stored fields, its words of ``matched`` terms highlighted (a
    :class:`Highlighter` shared by the hits of one search judges each word once)."""
    highlighter = matched if isinstance(matched, Highlighter) else Highlighter(matched)
    document = dict(stored.get("document") or {})
    question = stored.get("question", "")
    answer = stored.get("answer", "")
    questions = tuple(int(n) for n in (stored.get("questions") or "").split(",") if n)
    return Hit(
        passage_id=stored["passage_id"],
        doc_id=stored["doc_id"],
        questions=questions,
        question=question,
        answer=answer,
        score=float(score) if not math.isnan(score) else 0.0,
        document=document,
        notes=tuple(stored.get("notes") or ()),
        highlights={
            "title": highlighter.spans(document.get("title") or ""),
            "question": highlighter.spans(question),
            "answer": highlighter.spans(answer),
        },
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
