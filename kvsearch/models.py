"""Plain data passed between the layers: parsing produces it, the index stores it, front ends show it.

Stdlib only, so every layer (and every test) can use it without Whoosh or Textual.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

from kvsearch.results import numbers_label

#: Kinds of document, as the ``kind`` field says them.
KIND_ANSWERED = "antwoord"  #: questions with the government's answers (Aanhangsel)
KIND_QUESTIONS = "vragen"  #: questions not answered yet (kv-tk-…)
KIND_NOTICE = "mededeling"  #: a notice instead of answers, usually a delay ("uitstel")
KINDS = (KIND_ANSWERED, KIND_QUESTIONS, KIND_NOTICE)


@dataclass(frozen=True)
class Person:
    """A member of parliament or of the government as the document names them."""

    name: str
    party: str | None = None
    role: str | None = None  # "Minister", "Staatssecretaris", "Minister-President"
    ministry: str | None = None


@dataclass(frozen=True)
class Passage:
    """One question group with its answer: the unit kvsearch indexes and shows.

    ``questions`` are the question numbers the group covers ((1, 2) for "Vraag 1 en 2");
    ``notes`` are the footnotes referred to from the question or answer, kept out of the text.
    """

    questions: tuple[int, ...]
    question: str
    answer: str
    notes: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """The Dutch group label as a reader writes it: "1", "1 en 2", "3, 4 en 5"."""
        return numbers_label(self.questions)

    @property
    def key(self) -> str:
        """Stable id of the passage inside its document: "1-2" for questions 1 and 2."""
        return "-".join(str(n) for n in self.questions) or "0"


@dataclass
class Document:
    """A parsed Kamervragen document with its metadata and passages."""

    doc_id: str
    kind: str
    number: str | None = None
    year: str | None = None  # parliamentary year, "2023-2024"
    title: str | None = None
    askers: list[Person] = field(default_factory=list)
    addressees: list[str] = field(default_factory=list)
    answered_by: Person | None = None
    co_signers: list[str] = field(default_factory=list)  # "mede namens de minister van …"
    date_submitted: str | None = None  # ISO dates
    date_answered: str | None = None
    see_also: list[str] = field(default_factory=list)  # doc ids
    reference: str | None = None  # the Kamer's own number, "2024Z18792"
    #: The id of the questions' own publication ("Kamervragen zonder antwoord", kv-tk-…) that this
    #: answer or notice was joined with: that id finds this document (see kvsearch.ingest.corpus.deduplicate).
    question_id: str | None = None
    url: str | None = None
    source: str = ""
    source_format: str = ""
    notice: str | None = None  # text of a "Mededeling" (delay notice)
    passages: list[Passage] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The documented JSON shape of ``kvsearch parse --json`` (see README)."""
        # What ``asdict`` gives, built field by field: ``asdict`` deep-copies every passage
        # (only to have it replaced below), a cost the index build pays per document.
        data: dict[str, Any] = {name: getattr(self, name) for name in _DOCUMENT_FIELDS}
        for name in _LIST_FIELDS:
            data[name] = list(data[name])
        data["askers"] = [{"name": p.name, "party": p.party} for p in self.askers]
        data["answered_by"] = asdict(self.answered_by) if self.answered_by else None
        data["passages"] = [
            {
                "questions": list(p.questions),
                "question": p.question,
                "answer": p.answer,
                "notes": list(p.notes),
            }
            for p in self.passages
        ]
        return data


_DOCUMENT_FIELDS = tuple(f.name for f in fields(Document))
#: The list fields ``to_json`` copies as they are (askers and passages it converts).
_LIST_FIELDS = tuple(
    f.name for f in fields(Document) if f.default_factory is list and f.name not in ("askers", "passages")
)


def document_from_json(data: dict[str, Any]) -> Document:
    """Rebuild a :class:`Document` from :meth:`Document.to_json` output."""
    data = dict(data)
    answered = data.get("answered_by")
    data["askers"] = [Person(**person) for person in data.get("askers", [])]
    data["answered_by"] = Person(**answered) if answered else None
    data["passages"] = [
        Passage(
            questions=tuple(p["questions"]),
            question=p["question"],
            answer=p["answer"],
            notes=tuple(p.get("notes", ())),
        )
        for p in data.get("passages", [])
    ]
    known = {f.name for f in fields(Document)}
    return Document(**{k: v for k, v in data.items() if k in known})
