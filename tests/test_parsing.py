"""The parser against expectations written by hand from reading real documents."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from kvsearch.ingest.corpus import load_corpus, parse_file
from kvsearch.ingest.sources import SourceText
from kvsearch.parsing.document import numbers_from_spec, parliamentary_year, parse_document
from tests.conftest import DATA, SAMPLE_CORPUS, SHARED_CORPUS, TEST_CORPUS, needs_shared_corpus

EXPECTED = sorted((DATA / "expected").glob("*.json"))


def norm(text: str) -> str:
    """Compare text the way a reader does: case, spacing and dash styles do not matter."""
    text = re.sub(r"\s*[–—-]\s*", "-", text.lower())
    return " ".join(text.split())


@pytest.fixture(scope="module")
def parsed() -> dict[str, object]:
    return {}


@pytest.mark.parametrize("path", EXPECTED, ids=[p.stem for p in EXPECTED])
def test_document_matches_hand_written_expectation(path: Path) -> None:
    expected = json.loads(path.read_text(encoding="utf-8"))
    document = parse_file(TEST_CORPUS / expected["source"])
    assert document.doc_id == expected["doc_id"]
    assert document.kind == expected["kind"]
    assert document.number == expected["number"]
    assert document.year == expected["year"]
    assert document.date_submitted == expected["date_submitted"]
    assert document.date_answered == expected["date_answered"]
    assert document.see_also == expected["see_also"]
    assert [norm(p.name) for p in document.askers] == [norm(a["name"]) for a in expected["askers"]]
    assert [p.party for p in document.askers] == [a["party"] for a in expected["askers"]]
    if expected["title"]:
        assert norm(document.title or "") == norm(expected["title"])
    assert {norm(a) for a in document.addressees} == {norm(a) for a in expected["addressees"]}
    if expected["answered_by"]:
        answerer = document.answered_by
        assert answerer is not None
        assert norm(answerer.name) == norm(expected["answered_by"]["name"])
        assert answerer.role == expected["answered_by"]["role"]
        assert norm(answerer.ministry or "") == norm(expected["answered_by"]["ministry"])

    assert [list(p.questions) for p in document.passages] == [p["questions"] for p in expected["passages"]]
    for got, want in zip(document.passages, expected["passages"], strict=True):
        for snippet in want["question_contains"]:
            assert norm(snippet) in norm(got.question), (got.questions, snippet)
        for snippet in want["answer_contains"]:
            assert norm(snippet) in norm(got.answer), (got.questions, snippet)
        assert (got.answer == "") == want["answer_empty"]
    all_text = norm(" ".join(p.question + " " + p.answer for p in document.passages))
    for furniture in expected["not_in_text"]:
        assert norm(furniture) not in all_text


def test_seed_document_passages() -> None:
    document = parse_file(SAMPLE_CORPUS / "ah-tk-20232024-1064.md")
    assert [p.questions for p in document.passages] == [(1, 2), (3,), (4,), (5,), (6, 7), (8,), (9,)]
    answer_8 = document.passages[5].answer
    assert answer_8.startswith("Het is belangrijk dat ambtenaren politiek neutraal")
    assert "is het de taak van ambtenaren om die signalen terug te leggen" in answer_8
    assert answer_8.endswith("effectief te kunnen functioneren en de neutraliteit te behouden.")
    assert [(p.name, p.party) for p in document.askers] == [("Erdmans", "JA21")]
    assert document.answered_by is not None
    assert (document.answered_by.name, document.answered_by.role) == ("Helder", "Minister")
    assert document.answered_by.ministry == "Volksgezondheid, Welzijn en Sport"
    assert (document.date_submitted, document.date_answered) == ("2024-01-29", "2024-02-16")
    assert document.see_also == [f"ah-tk-20232024-{n}" for n in (1047, 1059, 1060, 1061, 1062, 1063)]
    assert document.url == "https://zoek.officielebekendmakingen.nl/ah-tk-20232024-1064.html"


@pytest.mark.parametrize(
    ("spec", "numbers"),
    [
        ("1", [1]),
        ("1 en 2", [1, 2]),
        ("3, 4 en 5", [3, 4, 5]),
        ("7, 8, 9 10 en 11", [7, 8, 9, 10, 11]),
        ("1 tot en met 3", [1, 2, 3]),
        ("2 t/m 6", [2, 3, 4, 5, 6]),
        ("4-7", [4, 5, 6, 7]),
        ("1,2,3,4 en 5", [1, 2, 3, 4, 5]),
    ],
)
def test_question_numbers(spec: str, numbers: list[int]) -> None:
    assert numbers_from_spec(spec) == numbers


def test_parliamentary_year_starts_on_prinsjesdag() -> None:
    from datetime import date

    assert parliamentary_year(date(2024, 9, 16)) == "2023-2024"  # the Monday before
    assert parliamentary_year(date(2024, 9, 17)) == "2024-2025"  # Prinsjesdag 2024
    assert parliamentary_year(date(2024, 2, 16)) == "2023-2024"


def parse_text(text: str) -> object:
    return parse_document(SourceText(path="x.txt", format="txt", text=text))


def test_separate_questions_answered_together() -> None:
    document = parse_text(
        "Vraag 5\nIs dit waar?\n\nVraag 6\nEn dat?\n\nAntwoord 5 en 6\nJa, allebei.\n\n"
        "Vraag 7\nNog iets?\n\nAntwoord 7\nNee."
    )
    assert [p.questions for p in document.passages] == [(5, 6), (7,)]
    assert document.passages[0].question == "Is dit waar?\n\nEn dat?"


def test_answer_on_question_heading_forms() -> None:
    document = parse_text("Vragen 1 tot en met 3\nWaarom?\n\nAntwoord op vraag 1 tot en met 3\nDaarom.")
    assert [p.questions for p in document.passages] == [(1, 2, 3)]


def test_numbering_that_does_not_match_is_reported() -> None:
    document = parse_text("Vraag 1\nA?\nAntwoord 1\nJa.\nVraag 2\nB?\nVraag 3\nC?\nAntwoord 2\nNee.")
    assert document.passages[-1].questions == (3,)
    assert document.passages[-1].answer == ""
    assert any("question 3 has no answer" in w for w in document.warnings)


def test_whole_test_corpus_parses_and_keeps_a_duplicate_once() -> None:
    load = load_corpus(TEST_CORPUS)
    files = [p for p in TEST_CORPUS.rglob("*") if p.is_file() and p.name != "README.md"]
    assert len(load.documents) + len(load.duplicates) == len(files)
    assert not [p for p in load.problems if p.skipped and p not in load.duplicates]
    assert not [p for p in load.problems if "internal error" in p.message]
    assert any("De_ontkoppeling_van_ontwikkelingshulp" in d.path for d in load.duplicates)
    boswijk = next(d for d in load.documents if d.doc_id == "ah-tk-20242025-605")
    assert [p.name for p in boswijk.askers] == ["Boswijk"]


@needs_shared_corpus()
def test_whole_shared_corpus_parses_without_crash() -> None:
    load = load_corpus(SHARED_CORPUS)
    assert len(load.documents) >= 100
    assert not [p for p in load.problems if "internal error" in p.message]
    # The kv-tk questions and the DOCX answers of 2024Z18792 are one document, kept once,
    # with the askers only the questions had.
    assert any("De_ontkoppeling_van_ontwikkelingshulp" in d.path for d in load.duplicates)
    boswijk = next(d for d in load.documents if d.doc_id == "ah-tk-20242025-605")
    assert [p.name for p in boswijk.askers] == ["Boswijk"]


@pytest.mark.parametrize(
    ("text", "numbers", "want", "refs"),
    [
        ("over regenboogbeleid»?1 Zo ja", {1}, "over regenboogbeleid»? Zo ja", [1]),
        ("het beleid2 en 3 is", {2, 3}, "het beleid is", [2, 3]),
        ("de uitstoot van CO2 daalt", {1}, "de uitstoot van CO2 daalt", []),  # not a footnote number
        ("d.d. 10 oktober 2024 1 is de Kamer", {1}, "d.d. 10 oktober 2024  is de Kamer", [1]),
        ("zie artikel 1 van de wet", {1}, "zie artikel 1 van de wet", []),
        ("een bericht [1 ] over", {1}, "een bericht  over", [1]),  # spaces are joined later
        ("de 11[e ] keer", set(), "de 11e keer", []),
        ("zoals gemeld 1) en", {1}, "zoals gemeld en", [1]),
        ("regel  \nvolgende", set(), "regel\nvolgende", []),
        ("prijs 2,5 miljoen1 en", {1}, "prijs 2,5 miljoen en", [1]),
        ("zie bijlage 2 3 en", {1}, "zie bijlage 2 3 en", []),  # 2 is no footnote of this document
    ],
)
def test_footnote_references_are_taken_out_of_the_text(
    text: str, numbers: set[int], want: str, refs: list[int]
) -> None:
    from kvsearch.parsing.document import _MarkerState

    found: list[int] = []
    assert _MarkerState(numbers).strip(text, found) == want
    assert found == refs
