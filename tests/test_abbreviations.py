"""Abbreviations a document defines: found as its authors wrote them, and a natural question
that spells out what a passage only abbreviates finds that passage first, through the real
CLI on the repository's own documents."""

from __future__ import annotations

import json
import re
import shutil
import weakref
from pathlib import Path

import pytest

from kvsearch.analysis.abbreviations import Abbreviations, definitions
from kvsearch.indexer.records import read_records
from kvsearch.searcher import within_document
from kvsearch.storage.recorded_terms import known_abbreviations
from tests.conftest import TEST_CORPUS, run_cli

# Sentences as the documents of the corpus write them.
DEFINED = {
    "acties door Kick Out Zwarte Piet (KOZP)?": ("KOZP", "Kick Out Zwarte Piet"),
    "de brede doeluitkering rampenbestrijding (BDuR) wordt overgeheveld": (
        "BDuR",
        "brede doeluitkering rampenbestrijding",
    ),
    "toezicht door De Nederlandsche Bank (DNB) op": ("DNB", "De Nederlandsche Bank"),
    "het Centraal Orgaan opvang asielzoekers (COA) biedt": ("COA", "Centraal Orgaan opvang asielzoekers"),
    "de Immigratie- en Naturalisatiedienst (IND) beslist": ("IND", "Immigratie- en Naturalisatiedienst"),
    "de Nederlandse Zorgautoriteit (NZa) houdt toezicht": ("NZa", "Nederlandse Zorgautoriteit"),
    "artikel 16 van de Digital Services Act (DSA), welke eisen stelt": ("DSA", "Digital Services Act"),
}
NOT_DEFINED = [
    "zoals eerder gemeld (2) is dat niet het geval",  # a footnote's number
    "de begroting van het Ministerie van Onderwijs, Cultuur en Wetenschap (VIII)",  # a roman number
    "de kosten (zie bijlage) zijn hoger",  # words in brackets
    "de gemeente heeft NEN opdracht gegeven om een praktijkrichtlijn (NPR) op te stellen",  # words no letter stands for
]


@pytest.mark.parametrize("sentence", DEFINED)
def test_a_definition_gives_its_abbreviation_and_long_form(sentence: str) -> None:
    abbreviation, long_form = DEFINED[sentence]
    assert definitions([sentence]) == {abbreviation: long_form}


@pytest.mark.parametrize("sentence", NOT_DEFINED)
def test_brackets_that_define_nothing_are_left_alone(sentence: str) -> None:
    assert definitions([sentence]) == {}


def test_the_first_definition_counts_and_a_text_naming_one_form_gets_the_other() -> None:
    defined = definitions(["het Openbaar Ministerie (OM) vervolgt", "de Organisatie Mensenrechten (OM)"])
    assert defined == {"OM": "Openbaar Ministerie"}
    other_forms = Abbreviations(defined).other_forms
    assert other_forms("Het OM heeft besloten.") == ["Openbaar Ministerie"]
    assert other_forms("Het openbaar\nministerie heeft besloten.") == ["OM"]
    assert other_forms("Het Openbaar Ministerie (OM) heeft besloten.") == []  # both forms
    assert other_forms("Het OMT-advies, de ROM-regio en OM-zaken") == []  # a word of its own
    joined = Abbreviations(definitions(["het ministerie van Infrastructuur en Waterstaat (I&W)"])).other_forms
    assert joined("Volgens I&W kan dat.") == ["Infrastructuur en Waterstaat"]


QUESTION = "Kan TikTok aan de Digital Services Act voldoen zonder moderatiepersoneel in Nederland?"
# The sixth question of the document asks just that and says "DSA"; the fifth defines the
# abbreviation and is about another article of the act.
ANSWER, DEFINING = "ah-tk-20242025-597#6", "ah-tk-20242025-597#5"


def _first_ids(index: Path) -> list[str]:
    done = run_cli(QUESTION, "--index", str(index), "--json", "--limit", "3")
    assert done.returncode == 0, done.stderr
    return [json.loads(line)["passage_id"] for line in done.stdout.splitlines()]


def test_a_question_that_spells_out_an_abbreviation_finds_the_passage_that_only_abbreviates_it(
    test_index: Path,
) -> None:
    found = _first_ids(test_index)
    assert found[:2] == [ANSWER, DEFINING], found


def test_without_the_documents_definitions_the_defining_sibling_comes_first(
    test_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same search in this process, with the definitions taken away: what the first test
    sees is their doing."""
    import kvsearch
    from kvsearch.analysis import abbreviations

    first = kvsearch.search(QUESTION, index_dir=test_index, limit=3).hits[0].passage_id
    monkeypatch.setattr(abbreviations, "definitions", lambda texts: {})
    monkeypatch.setattr(within_document, "_PROFILES", weakref.WeakKeyDictionary())  # none kept from before
    assert first == ANSWER
    assert kvsearch.search(QUESTION, index_dir=test_index, limit=3).hits[0].passage_id == DEFINING


def test_a_text_of_nothing_but_brackets_is_looked_at_only_so_far() -> None:
    """Document text is untrusted: a text made of words in brackets stops being read at
    ``CANDIDATES`` of them, and what it defined so far is kept."""
    from kvsearch.analysis import abbreviations

    pairs = [(chr(65 + i // 26), chr(65 + i % 26)) for i in range(26 * 26)]
    flood = " ".join(f"{first}xx {second}yy Qqq ({first}{second}Q)." for first, second in pairs)
    found = definitions(["Kick Out Zwarte Piet (KOZP)", flood])
    assert found["KOZP"] == "Kick Out Zwarte Piet" and found["ABQ"] == "Axx Byy Qqq"
    assert "ZZQ" not in found and len(found) <= abbreviations.CANDIDATES
    assert definitions(["Zxx Zyy Qqq (ZZQ)."]) == {"ZZQ": "Zxx Zyy Qqq"}  # the last one, read alone


DNB = re.compile(r"Nederlandsche\s+Bank\s+\(DNB\)")


def test_the_build_counts_the_corpus_definitions_and_a_later_build_keeps_them_in_step(tmp_path: Path) -> None:
    """Each build counts the documents that define an abbreviation alike; an abbreviation two
    or more define so is known across the corpus. Removing documents takes them off the count
    of the next (incremental) build."""
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(TEST_CORPUS, corpus)
    assert run_cli("index", "--corpus", str(corpus), "--index", str(index)).returncode == 0
    first = _live(index)
    counted = read_records(first, "definitions")["DNB = de nederlandsche bank"]
    spelled = [p for p in sorted(corpus.rglob("*.txt")) if DNB.search(p.read_text(encoding="utf-8"))]
    assert counted >= len(spelled) == 2  # a PDF defines it too
    assert known_abbreviations(first)["DNB"] == "de nederlandsche bank"
    assert "KOZP" not in known_abbreviations(first)  # no document of this corpus defines it

    for path in spelled:
        path.unlink()
    done = run_cli("index", "--corpus", str(corpus), "--index", str(index))
    assert done.returncode == 0, done.stderr
    second = _live(index)
    assert second != first
    assert read_records(second, "definitions").get("DNB = de nederlandsche bank", 0) == counted - 2
    assert ("DNB" in known_abbreviations(second)) == (counted - 2 >= 2)


def _live(index: Path) -> Path:
    return index / (index / "CURRENT").read_text().strip()


def test_an_abbreviation_known_across_the_corpus_counts_where_the_document_does_not_define_it(
    test_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The questions about the Uyghurs in Thailand never define "VN"; the fifth asks the "Hoge
    Commissaris van de Verenigde Naties voor de Vluchtelingen" for help. Where documents of the
    corpus define VN as the Verenigde Naties (the shared corpus has four), a question about
    "de vluchtelingenorganisatie van de VN" finds the fifth higher than without: it names the
    organisation the fifth spells out."""
    import kvsearch

    question = (
        "Vraagt Nederland de vluchtelingenorganisatie van de VN om de Oeigoeren te helpen die in Thailand vastzitten?"
    )
    place = {}
    for known in ({}, {"VN": "verenigde naties"}):
        monkeypatch.setattr(within_document, "known_abbreviations", lambda folder, known=known: known)
        monkeypatch.setattr(within_document, "_PROFILES", weakref.WeakKeyDictionary())
        found = [hit.passage_id for hit in kvsearch.search(question, index_dir=test_index, limit=5).hits]
        place[bool(known)] = found.index("kv-tk-2024Z18888#5")
    assert place[True] < place[False], place
