"""The right passage of a document first, near-synonyms, the budget of a pasted question, and
``kvsearch analyze`` showing how a query expands its words; on the shared corpus (skipped
without it) through the real search and the real CLI."""

from __future__ import annotations

import json
import weakref
from pathlib import Path

import pytest

import kvsearch
from kvsearch.searcher import between_documents, open_searcher, plan, within_document
from tests.conftest import run_cli

# A pasted Kamervraag: a preamble about what journalists found (which the document's second
# question asks about) and a question of its own (the sixth question of the document).
TUNISIA = (
    "Volgens onderzoeksjournalisten maakt de Tunesische kustwacht, die met Europees geld wordt betaald, "
    "zich schuldig aan mishandeling en verkrachting van migranten. Welke stappen zet Nederland om ervoor "
    "te zorgen dat deze mensenrechtenschendingen ophouden, of in elk geval niet langer met geld van de "
    "Europese Unie worden gefinancierd?"
)
TUNISIA_ANSWER = "ah-tk-20242025-583#6"
TUNISIA_NEIGHBOUR = "ah-tk-20242025-583#2"


def _ids(text: str, index: Path, limit: int = 10) -> list[str]:
    return [hit.passage_id for hit in kvsearch.search(text, index_dir=index, limit=limit).hits]


def test_the_passage_asked_about_comes_before_its_siblings(shared_index: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Its siblings share the subject and the preamble's words; the passage whose own question
    has the words of the pasted question's question is the one that answers."""
    found = _ids(TUNISIA, shared_index)
    assert found[0] == TUNISIA_ANSWER
    assert TUNISIA_NEIGHBOUR in found[1:5]  # the neighbour is still found, below it
    # The engine's own ranking puts the neighbour first: the re-ordering is what fixes it.
    monkeypatch.setattr(within_document, "WITHIN_WEIGHT", 0.0)
    assert _ids(TUNISIA, shared_index)[0] == TUNISIA_NEIGHBOUR


def test_reordering_keeps_each_documents_places(shared_index: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only which passage of a document stands where changes; the documents keep their places."""
    reordered = kvsearch.search(TUNISIA, index_dir=shared_index).hits
    monkeypatch.setattr(within_document, "WITHIN_WEIGHT", 0.0)
    engine = kvsearch.search(TUNISIA, index_dir=shared_index).hits
    assert [h.doc_id for h in reordered] == [h.doc_id for h in engine]
    assert [h.passage_id for h in reordered] != [h.passage_id for h in engine]


def test_short_queries_keep_the_engines_order(shared_index: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    typed = _ids("tunesische kustwacht migranten", shared_index)
    monkeypatch.setattr(within_document, "WITHIN_WEIGHT", 0.0)
    assert _ids("tunesische kustwacht migranten", shared_index) == typed


def _text_of(hit: kvsearch.Hit) -> str:
    return " ".join((hit.document.get("title") or "", hit.question, hit.answer)).lower()


def test_a_near_synonym_is_found_below_the_word_itself(shared_index: Path) -> None:
    hits = kvsearch.search("wachttijd", index_dir=shared_index, limit=100).hits
    own = [i for i, hit in enumerate(hits) if "wachttijd" in _text_of(hit)]
    synonym_only = [i for i, hit in enumerate(hits) if "wachttijd" not in _text_of(hit)]
    assert own and synonym_only
    assert all("wachtlijst" in _text_of(hits[i]) for i in synonym_only)
    assert own[0] == 0 and own[0] < synonym_only[0]
    # … in both directions, and a phrase is searched as typed.
    assert any("wachttijd" not in _text_of(h) for h in kvsearch.search("wachtlijst", index_dir=shared_index).hits)
    phrase = kvsearch.search('"wachttijd"', index_dir=shared_index, limit=100).hits
    assert phrase and all("wachttijd" in _text_of(h) for h in phrase)


def test_a_pasted_questions_word_the_index_lacks_counts_through_its_near_synonym(shared_index: Path) -> None:
    """No passage says "voorlichter"; the documents about the minister's spokesman say
    "woordvoerder". A pasted question in the asker's word still finds them first."""
    question = "Welke voorlichter wilde de minister liever niet in dienst nemen?"
    hits = kvsearch.search(question, index_dir=shared_index, limit=3).hits
    assert len(hits) == 3
    assert all("voorlichter" not in _text_of(hit) and "woordvoerder" in _text_of(hit) for hit in hits)


def test_a_pasted_question_in_everyday_words_finds_the_document_in_policy_words(shared_index: Path) -> None:
    """The brandbrief's questions speak of "leidinggevenden", an asker of "chefs": through the
    near-synonym the document's passages fill the top three (without it, two other documents'
    passages about discrimination came between)."""
    question = "Wordt er onderzocht welke rol chefs spelen bij discriminatie binnen de overheid?"
    top = _ids(question, shared_index, limit=3)
    assert len(top) == 3
    assert all(passage.startswith("kv-tk-2024Z18656#") for passage in top)


def test_a_pasted_questions_hyphenated_word_the_index_lacks_counts_through_its_parts(shared_index: Path) -> None:
    """No passage says "MIRT-studie"; the one about starting the MIRT-verkenning of the
    Nedersaksenlijn comes first through "MIRT" (without the parts, four passages came first)."""
    question = "Is er al een MIRT-studie gestart voor de spoorlijn Nedersaksenlijn?"
    assert _ids(question, shared_index, limit=1) == ["kv-tk-2024Z18435#4"]


def test_a_pasted_question_weighs_most_in_a_passages_own_question(
    shared_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The passage that asks what the asker asks comes before an answer of another document that
    uses the same words; with the field weights of typed queries, that answer came first."""
    question = (
        "Wanneer krijgt de Kamer het onderzoek naar wettelijke maatregelen om de financiële sector "
        "te laten bijdragen aan klimaatdoelen?"
    )
    wanted = "kv-tk-2024Z18653#7"
    assert _ids(question, shared_index)[0] == wanted
    # The engine's ranking alone (the choice between documents by coverage would also find it).
    monkeypatch.setattr(between_documents, "COVERAGE_WEIGHT", 0.0)
    assert _ids(question, shared_index)[0] == wanted
    monkeypatch.setattr(plan, "NATURAL_FIELD_WEIGHTS", plan.FIELD_WEIGHTS)
    assert _ids(question, shared_index)[0] != wanted


def test_the_budget_keeps_the_rarest_words(shared_index: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """However tight the budget of a pasted question, its rarest words are searched, and more
    than one of them decides which passages are candidates: its document is still found (with
    only its rarest word required, it finds one passage of another document)."""
    # "stoppen" for "ophouden": in this corpus ophouden is found once, as are the preamble's
    # rarest words, and which of the words found once are the two required is a tie, not the
    # budget's doing.
    question = TUNISIA.replace("ophouden", "stoppen")
    monkeypatch.setattr(plan, "NATURAL_CANDIDATES", 1)
    monkeypatch.setattr(plan, "NATURAL_POSTINGS", 60)
    with open_searcher(shared_index) as (index, _info):
        terms = set(index.chain.terms(question, query=True))
        frequency = {t: max(index.doc_frequency(f, t) for f in ("title", "question", "answer")) for t in terms}
        known = sorted((df, t) for t, df in frequency.items() if df)
        required, optional = plan._budgeted([(df, t, 1) for df, t in known])
        kept = {t for t, _tf in required + optional}
        rarest = {t for _df, t in known[:5]}
        assert rarest <= kept
        assert len(kept) < len(known)  # the budget did drop words: the common ones
        assert {"kustwacht", "tunesisch"} & kept
        assert len(required) >= plan.NATURAL_MIN_REQUIRED
    assert TUNISIA_ANSWER.split("#")[0] in {passage.split("#")[0] for passage in _ids(question, shared_index, limit=5)}


def test_analyze_shows_each_words_expansion() -> None:
    done = run_cli("analyze", "wachtlijst asielopvang ambtenaren", "--json")
    assert done.returncode == 0, done.stderr
    words = {w["word"]: w for w in json.loads(done.stdout)["words"]}
    assert words["wachtlijst"]["synonyms"] == ["wachttijd"]
    assert words["wachtlijst"]["compound_parts"] == ["wacht", "lijst"]
    assert words["asielopvang"]["compound_parts"] == ["asiel", "opvang"]
    assert words["asielopvang"]["synonyms"] == []
    assert words["ambtenaren"]["term"] == "ambtenar"
    assert "ambtenar" in words["ambtenaren"]["index_terms"]
    text = run_cli("analyze", "verbieden asielopvang")
    assert text.returncode == 0, text.stderr
    lines = {line.split()[0]: line for line in text.stdout.split("as a query:")[1].strip().splitlines()}
    assert "synonyms verbod" in lines["verbieden"]
    assert "parts asiel + opvang" in lines["asielopvang"]


def test_analyze_shows_the_near_synonyms_of_everyday_policy_words() -> None:
    done = run_cli("analyze", "chefs schadevergoeding bezuinigingen", "--json")
    assert done.returncode == 0, done.stderr
    words = {w["word"]: w for w in json.loads(done.stdout)["words"]}
    assert words["chefs"]["synonyms"] == ["leidinggev", "manager"]
    assert words["schadevergoeding"]["synonyms"] == ["compensatie"]
    assert words["bezuinigingen"]["synonyms"] == ["bespar"]


def test_the_profiles_of_a_document_are_kept_for_the_next_search_and_bounded(
    test_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A question asked again (or being typed) brings the same documents back: their passages
    are analysed once per open index, the hits are the same, and the store forgets everything
    when it holds ``CACHED_DOCUMENTS`` documents."""
    from kvsearch.engine.reader import SearchableIndex

    question = "Kan TikTok aan de Digital Services Act voldoen zonder moderatiepersoneel in Nederland?"
    monkeypatch.setattr(within_document, "_PROFILES", weakref.WeakKeyDictionary())
    read: list[str] = []
    stored_passages = SearchableIndex.stored_passages

    def counted(self: SearchableIndex, doc_id: str) -> list[dict]:
        read.append(doc_id)
        return stored_passages(self, doc_id)

    monkeypatch.setattr(SearchableIndex, "stored_passages", counted)
    first = _ids(question, test_index)
    assert read, "the question's document was re-ordered"
    read.clear()
    assert _ids(question, test_index) == first
    assert not read
    monkeypatch.setattr(within_document, "CACHED_DOCUMENTS", 2)
    within_document._PROFILES.clear()
    with open_searcher(test_index) as (index, _info):
        for doc_id in ("ah-tk-20242025-597", "ah-tk-20242025-608", "ah-tk-20232024-387"):
            within_document._document_profiles(index, doc_id)
        assert list(within_document._PROFILES[index]) == ["ah-tk-20232024-387"]
