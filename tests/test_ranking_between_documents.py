"""A question in the asker's own words finds its document before one on a nearby subject: on
the shared corpus (skipped without it) through the real search and the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import kvsearch
from kvsearch.searcher import between_documents
from tests.conftest import run_cli

# Documents on training leaving Zeeland and on online teaching; the question is about the
# general practitioners' course that leaves Vlissingen, asked without the passage's words.
VLISSINGEN = "Stopt de opleiding in Vlissingen omdat het online onderwijs tekortschoot?"
VLISSINGEN_ANSWER = "kv-tk-2024Z18563#4"
# Two documents on pregnant asylum seekers; the one about registering births and stillbirths.
BIRTHS = (
    "Kunnen ouders zonder burgerservicenummer de geboorte van hun baby aangeven, "
    "zodat de sterfte rond de geboorte goed geteld wordt?"
)
BIRTHS_ANSWER = "kv-tk-2024Z18659#4"


def _ids(text: str, index: Path, limit: int = 10) -> list[str]:
    return [hit.passage_id for hit in kvsearch.search(text, index_dir=index, limit=limit).hits]


@pytest.mark.parametrize(("question", "wanted"), [(VLISSINGEN, VLISSINGEN_ANSWER), (BIRTHS, BIRTHS_ANSWER)])
def test_the_document_with_more_of_the_question_comes_first(
    shared_index: Path, monkeypatch: pytest.MonkeyPatch, question: str, wanted: str
) -> None:
    found = _ids(question, shared_index)
    assert found[0] == wanted
    # The engine's order alone puts a passage of the other document first.
    monkeypatch.setattr(between_documents, "COVERAGE_WEIGHT", 0.0)
    engine = _ids(question, shared_index)
    assert engine[0].split("#")[0] != wanted.split("#")[0]
    assert wanted in engine  # the same candidates, in another order


def test_short_queries_keep_the_engines_order(shared_index: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    typed = _ids("opleiding vlissingen online", shared_index)
    monkeypatch.setattr(between_documents, "COVERAGE_WEIGHT", 0.0)
    assert _ids("opleiding vlissingen online", shared_index) == typed


def test_the_cli_shows_the_document_asked_about_first(shared_index: Path) -> None:
    done = run_cli("search", VLISSINGEN, "--index", str(shared_index), "--json", "--limit", "3")
    assert done.returncode == 0, done.stderr
    hits = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(hits) == 3
    assert hits[0]["passage_id"] == VLISSINGEN_ANSWER
