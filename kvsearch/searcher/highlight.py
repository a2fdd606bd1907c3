"""A stored passage as a :class:`~kvsearch.results.Hit`: its fields, and the spans of the words
that matched the query (compound parts included), for highlighting."""

from __future__ import annotations

import math
from typing import Any

from kvsearch import analysis
from kvsearch.results import Hit


def highlight_spans(text: str, matched: set[str]) -> list[tuple[int, int]]:
    """Character spans of the words in ``text`` whose analysis hits a matched term.

    Each distinct word is analysed once, as a query (cheap, cached); only a long word that
    contains a matched term is analysed fully, to find compound parts ("uitslag" in
    "verkiezingsuitslag"). This runs over every hit shown, so it avoids per-word work where
    it can: most texts have a few hundred distinct words and only a handful of hits.
    """
    hits = {raw for raw in set(analysis.words(text)) if _word_hits(raw, matched)}
    return analysis.spans_of_words(text, hits)


def _word_hits(raw: str, matched: set[str]) -> bool:
    found = analysis.word_terms(raw, query=True)
    if not found:
        return False
    term = found[0]
    if term in matched:
        return True
    if len(term) >= 7 and any(len(t) >= 3 and t in term for t in matched):
        return any(t in matched for t in analysis.word_terms(raw, query=False))
    return False


def hit_of(stored: dict[str, Any], score: float, matched: set[str]) -> Hit:
    """The hit for a passage's stored fields, its words of ``matched`` terms highlighted."""
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
            "title": highlight_spans(document.get("title") or "", matched),
            "question": highlight_spans(question, matched),
            "answer": highlight_spans(answer, matched),
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
