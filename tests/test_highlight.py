"""Highlighting from the terms a build recorded for each raw word: the same spans as analysing
each word, and analysing again when the record cannot be read."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import kvsearch
from kvsearch import analysis
from kvsearch.searcher import highlight
from kvsearch.searcher.open import open_searcher
from kvsearch.storage import recorded_terms
from tests.conftest import run_cli

#: Plain words, word forms, compounds and their parts, a prefix, a phrase, near-synonyms, a
#: filter and a pasted question: each way a hit's words come to match.
QUERIES = [
    "ziekenhuizen",
    "ambtenaren neutraliteit",
    "ontslagen moderatieteam",
    "asielopvang",
    "contentmoderatie moderatoren",
    "verkiezing*",
    '"de minister"',
    "wachtlijst",
    "kamer partij:VVD",
    "Bent u bekend met het bericht dat de opvang van asielzoekers in gemeenten onder druk staat?",
]


def _highlights(index: Path, text: str) -> list[tuple[str, dict[str, list[tuple[int, int]]]]]:
    result = kvsearch.search(text, index_dir=index, limit=20)
    return [(hit.passage_id, {field: list(spans) for field, spans in hit.highlights.items()}) for hit in result.hits]


def _unrecorded(self: recorded_terms.RecordedTerms, words: set[str], terms: object) -> recorded_terms.SortedWords:
    return recorded_terms.SortedWords(set(), {}, set(words))  # as without the record: every word analysed


@pytest.mark.parametrize("text", QUERIES)
def test_recorded_terms_highlight_what_analysing_the_words_highlights(
    test_index: Path, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    analysed: list[str] = []
    original = highlight.Highlighter._word_hits

    def word_hits(self: highlight.Highlighter, raw: str) -> bool:  # judged by analysing the word
        analysed.append(raw)
        return original(self, raw)

    monkeypatch.setattr(highlight.Highlighter, "_word_hits", word_hits)
    recorded_terms._OPENED.clear()
    from_record = _highlights(test_index, text)
    assert from_record and any(spans for _id, fields in from_record for spans in fields.values())
    assert not analysed  # every word of the hits was in the record
    monkeypatch.setattr(recorded_terms.RecordedTerms, "sort_out", _unrecorded)
    assert _highlights(test_index, text) == from_record
    assert analysed


def test_a_damaged_record_is_left_for_the_analysis(tmp_path: Path, test_index: Path) -> None:
    index = tmp_path / "index"
    shutil.copytree(test_index, index)
    with open_searcher(index) as (_index, info):
        records = index / info.generation / recorded_terms.RECORDS
    expected = _highlights(test_index, "ambtenaren neutraliteit")
    # The same size (a search checks sizes, not checksums): not a database any more.
    records.write_bytes(b"x" * records.stat().st_size)
    recorded_terms._OPENED.clear()
    assert _highlights(index, "ambtenaren neutraliteit") == expected
    done = run_cli("ambtenaren neutraliteit", "--index", str(index), "--json")
    assert done.returncode == 0, done.stderr
    assert not done.stderr


def test_words_are_sorted_out_alike_from_memory_and_after_starting_over(
    test_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hits = kvsearch.search("asielopvang", index_dir=test_index, limit=10).hits
    words = {word for hit in hits for word in analysis.words(hit.question + " " + hit.answer)} | {"qqxzzy"}
    terms = {analysis.word_terms(word, query=True)[0] for word in ("asielopvang", "opvang", "gemeenten", "minister")}
    with open_searcher(test_index) as (_index, info):
        generation = Path(info.path) / info.generation
    records = recorded_terms.RecordedTerms(generation)
    first = records.sort_out(words, terms)
    assert first.first_term_asked and first.with_parts and "qqxzzy" in first.unrecorded
    assert all(analysis.word_terms(word, query=True)[0] in terms for word in first.first_term_asked)
    assert records.sort_out(words, terms) == first  # from memory
    monkeypatch.setattr(recorded_terms, "_KEPT", 7)
    small = recorded_terms.RecordedTerms(generation)
    for word in sorted(words):
        small.sort_out({word}, terms)  # starts over every few words
    assert small.sort_out(words, terms) == first
