"""A document as the index holds it: one record of fields per passage, the document rebuilt
from those stored fields, and the surface words counted for "bedoelde u …?"."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from typing import Any

from kvsearch.analysis import abbreviations, vocabulary
from kvsearch.models import KIND_ANSWERED, KIND_NOTICE, Document, Passage, document_from_json


def passage_records(document: Document) -> Iterator[dict[str, Any]]:
    """The Whoosh fields of each passage of ``document``."""
    meta = replace(document, passages=[], warnings=[]).to_json()
    meta.pop("passages")
    meta.pop("warnings")
    day = document.date_answered or document.date_submitted
    status = {KIND_ANSWERED: "beantwoord", KIND_NOTICE: "uitgesteld"}.get(document.kind, "onbeantwoord")
    askers = [t for p in document.askers for t in vocabulary.name_terms(p.name)]
    parties = [t for p in document.askers for t in vocabulary.party_terms(p.party)]
    answerer = document.answered_by
    ministries = vocabulary.ministry_terms(answerer.ministry if answerer else None)
    for office in document.addressees:
        portfolio = office.split(" ", 2)[-1] if " van " in office or " voor " in office else office
        ministries += vocabulary.ministry_terms(portfolio)
    # A notice without questions is still findable, as one passage holding the notice.
    passages = document.passages or [Passage(questions=(), question="", answer=document.notice or "")]
    title = document.title or ""
    for order, passage in enumerate(passages):
        # The *_pairs fields index the common words standing next to each other in the text
        # field of the same name (phrases of common words read them instead of positions).
        yield {
            "passage_id": f"{document.doc_id}#{passage.key}",
            "doc_id": document.doc_id,
            "question_id": document.question_id,
            "order": order,
            "questions": ",".join(str(n) for n in passage.questions),
            "title": title,
            "title_pairs": title,
            "question": passage.question,
            "question_pairs": passage.question,
            "answer": passage.answer,
            "answer_pairs": passage.answer,
            "kind": document.kind,
            "status": status,
            "number": document.number or "",
            "year": document.year or "",
            "date": datetime.fromisoformat(day) if day else None,
            "calendar_year": day[:4] if day else None,
            "calendar_month": day[:7] if day else None,
            "askers": ",".join(dict.fromkeys(askers)),
            "parties": ",".join(dict.fromkeys(parties)),
            "minister": ",".join(vocabulary.name_terms(answerer.name if answerer else None)),
            "ministry": ",".join(dict.fromkeys(ministries)),
            "document": meta,
            "notes": list(passage.notes),
        }


def stored_document(stored: list[dict[str, Any]]) -> Document:
    """A document rebuilt from its passages' stored fields, as far as its words go."""
    meta = dict(stored[0].get("document") or {})
    passages = [
        {
            "questions": [int(n) for n in (s.get("questions") or "").split(",") if n],
            "question": s.get("question", ""),
            "answer": s.get("answer", ""),
            "notes": list(s.get("notes") or ()),
        }
        for s in stored
    ]
    # A notice without questions is indexed as one passage holding the notice (passage_records).
    only = passages[0] if len(passages) == 1 else None
    if only and not only["questions"] and not only["question"] and only["answer"] == (meta.get("notice") or ""):
        passages = []
    return document_from_json({**meta, "passages": passages, "warnings": []})


_SURFACE_WORD = re.compile(r"[^\W\d_]{3,}")


def _surface_texts(document: Document) -> list[str]:
    texts = [document.title or "", *(p.question + " " + p.answer for p in document.passages)]
    texts += [p.name for p in document.askers]
    if document.answered_by:
        texts.append(document.answered_by.name)
    return texts


def count_definitions(document: Document, counts: Counter[tuple[str, str]], sign: int = 1) -> None:
    """Add (``sign`` -1: remove) the abbreviations ``document`` defines to ``counts``, each with
    its long form in lower case: the documents that define it so, across the corpus."""
    texts = (text for passage in document.passages for text in (passage.question, passage.answer))
    for abbreviation, long_form in abbreviations.definitions(texts).items():
        counts[abbreviation, " ".join(long_form.lower().split())] += sign


def count_words(document: Document, counts: Counter[str], sign: int = 1) -> None:
    """Add (``sign`` -1: remove) the surface words of ``document`` to ``counts``, as they
    are: ``WordCounter`` folds each distinct word once, when it writes the counts."""
    words = _SURFACE_WORD.findall("\n".join(_surface_texts(document)))
    if sign == 1:
        counts.update(words)  # counted in C (Counter's _count_elements)
    else:
        counts.subtract({word: -sign * n for word, n in Counter(words).items()})
