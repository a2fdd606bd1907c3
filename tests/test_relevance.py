"""Search quality on the hand-made relevance set (tests/data/relevance.json), shipped vs baselines,
and on the blind set (tests/data/relevance_blind.json), which nobody tunes on.

One index per analyzer variant is built once per session through kvsearch's own build_index;
every query runs through kvsearch.search, as the CLI does. The numbers and how to reproduce
them are in docs/relevance.md (``python bench/eval_relevance.py``).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, TEST_CORPUS, needs_shared_corpus, run_cli

# The relevance tests build one index per analyzer variant of the whole shared corpus.
pytestmark = pytest.mark.slow

_spec = importlib.util.spec_from_file_location("eval_relevance", ROOT / "bench" / "eval_relevance.py")
assert _spec and _spec.loader
ev = importlib.util.module_from_spec(_spec)
sys.modules["eval_relevance"] = ev  # dataclasses look their module up
_spec.loader.exec_module(ev)

QUERIES = ev.load_set()
BASELINES = ev.BASELINES

# Floors a little under what the shipped chain measures (README, "Relevance"): a drop below
# them is a regression, not noise from one query.
FLOOR = {"hit@1": 0.80, "hit@5": 0.90, "mrr@10": 0.85}
KIND_FLOOR_MRR = {"short": 0.85, "natural": 0.75, "long": 0.80, "morphology": 0.90}

BLIND_SET = ROOT / "tests" / "data" / "relevance_blind.json"
BLIND = ev.load_set(BLIND_SET)
# Floors a little under the blind set's current figures (docs/relevance.md, "The current
# figures"). They guard against regressions only: never change the set or tune anything to
# raise them.
BLIND_FLOOR = {"hit@1": 0.87, "mrr@10": 0.91}
BLIND_KIND_FLOOR_MRR = {
    "short": 0.95,
    "natural": 0.72,
    "pasted": 0.90,
    "word_forms": 0.86,
    "answer_only": 0.95,
    "question_only": 0.95,
}


def test_set_is_big_and_spread() -> None:
    assert len(QUERIES) >= 60
    kinds = {kind: sum(1 for q in QUERIES if q["kind"] == kind) for kind in ev.kinds_of(QUERIES)}
    assert set(kinds) == set(KIND_FLOOR_MRR)
    assert min(kinds.values()) >= 12, kinds
    for q in QUERIES:
        assert q["query"].strip() and "#" in q["passage"], q
        if q["kind"] == "short":
            assert 2 <= len(q["query"].split()) <= 4, q["query"]
        if q["kind"] == "long":
            assert 40 <= len(q["query"].split()) <= 120, q["query"]
    assert len({q["query"] for q in QUERIES}) == len(QUERIES)


def test_blind_set_is_big_spread_and_apart_from_the_tuned_set() -> None:
    assert len(BLIND) >= 84
    kinds = {kind: sum(1 for q in BLIND if q["kind"] == kind) for kind in ev.kinds_of(BLIND)}
    assert set(kinds) == set(BLIND_KIND_FLOOR_MRR)
    assert min(kinds.values()) >= 14, kinds
    for q in BLIND:
        assert q["query"].strip() and "#" in q["passage"], q
        if q["kind"] == "short":
            assert 2 <= len(q["query"].split()) <= 4, q["query"]
        if q["kind"] == "pasted":
            assert 40 <= len(q["query"].split()) <= 120, q["query"]
    assert len({q["query"] for q in BLIND}) == len(BLIND)
    assert not {q["passage"] for q in BLIND} & {q["passage"] for q in QUERIES}
    assert len({q["passage"].split("#")[0] for q in BLIND}) >= 20


@pytest.fixture(scope="session")
def relevance_indexes(tmp_path_factory: pytest.TempPathFactory, shared_corpus: Path) -> dict[str, Path]:
    """One index of ../shared/corpus per analyzer variant, built once."""
    root = tmp_path_factory.mktemp("relevance")
    indexes = {}
    for variant in ("shipped", *BASELINES):
        indexes[variant] = root / variant
        ev.build_with(variant, shared_corpus, indexes[variant])
    return indexes


@pytest.fixture(scope="session")
def scores(relevance_indexes: dict[str, Path]) -> dict[str, ev.Scores]:
    return {variant: ev.evaluate(index, QUERIES)[0] for variant, index in relevance_indexes.items()}


@needs_shared_corpus()
def test_every_expected_passage_exists(relevance_indexes: dict[str, Path]) -> None:
    assert ev.check_passages(relevance_indexes["shipped"], QUERIES) == []
    folders = set()
    from kvsearch.searcher import open_searcher

    with open_searcher(relevance_indexes["shipped"]) as (searcher, _info):
        source = {s["doc_id"]: (s.get("document") or {}).get("source", "") for s in searcher.all_stored_fields()}
    for q in QUERIES:
        folders.add(Path(source[q["passage"].split("#")[0]]).parts[0])
    assert folders >= {"seed", "converted", "official-pdf", "limburg-2024"}


@needs_shared_corpus()
@pytest.mark.parametrize("baseline", BASELINES)
def test_shipped_is_not_worse_than_baseline(scores: dict[str, ev.Scores], baseline: str) -> None:
    shipped = scores["shipped"].metrics()["mrr@10"]
    other = scores[baseline].metrics()["mrr@10"]
    assert shipped >= other, f"shipped MRR@10 {shipped:.3f} < {baseline} {other:.3f}\n" + ev.table(
        scores, ev.kinds_of(QUERIES)
    )


@needs_shared_corpus()
def test_shipped_meets_floors(scores: dict[str, ev.Scores]) -> None:
    overall = scores["shipped"].metrics()
    for name, floor in FLOOR.items():
        assert overall[name] >= floor, f"{name} {overall[name]:.3f} < {floor}\n" + ev.table(
            scores, ev.kinds_of(QUERIES)
        )
    for kind, floor in KIND_FLOOR_MRR.items():
        got = scores["shipped"].metrics(kind)["mrr@10"]
        assert got >= floor, f"{kind} MRR@10 {got:.3f} < {floor}\n" + ev.table(scores, ev.kinds_of(QUERIES))


@needs_shared_corpus()
def test_blind_set_meets_floors(relevance_indexes: dict[str, Path]) -> None:
    shipped = relevance_indexes["shipped"]
    assert ev.check_passages(shipped, BLIND) == []
    blind = ev.evaluate(shipped, BLIND)[0]
    table = ev.table({"shipped (blind)": blind}, ev.kinds_of(BLIND))
    print("\n" + table)
    overall = blind.metrics()
    for name, floor in BLIND_FLOOR.items():
        assert overall[name] >= floor, f"{name} {overall[name]:.3f} < {floor}\n" + table
    for kind, floor in BLIND_KIND_FLOOR_MRR.items():
        got = blind.metrics(kind)["mrr@10"]
        assert got >= floor, f"{kind} MRR@10 {got:.3f} < {floor}\n" + table


@needs_shared_corpus()
def test_pasted_question_with_question_marks_is_natural_language(relevance_indexes: dict[str, Path]) -> None:
    # "aanleveren?" is punctuation, not a one-letter wildcard; "K.?" is not a bad wildcard.
    found = ev.search(
        "Wat doet de NZa met zorgaanbieders die wachttijden foutief aanleveren?", index_dir=relevance_indexes["shipped"]
    )
    assert "ah-tk-20242025-562#5" in [h.passage_id for h in found.hits[:3]]
    found = ev.search(
        "Hoe wordt het onterecht uitbetaalde toeslaggeld teruggehaald bij Kadir K.?",
        index_dir=relevance_indexes["shipped"],
    )
    assert found.hits


def test_a_baseline_chain_is_searched_with_its_own_analysis_and_only_where_it_is_registered(tmp_path: Path) -> None:
    """A baseline reaches the product through one hook: its index is searched with it in the
    process that registered it, and refused, with the rebuild hint, by one that does not know it."""
    ev.build_with("shipped", TEST_CORPUS, tmp_path / "shipped")
    ev.build_with("nostem", TEST_CORPUS, tmp_path / "nostem")
    # The corpus writes "maatregelen": unstemmed, the query "maatregel" misses most of them.
    stemmed = ev.search("maatregel", index_dir=tmp_path / "shipped").total
    unstemmed = ev.search("maatregel", index_dir=tmp_path / "nostem").total
    assert unstemmed < stemmed
    refused = run_cli("maatregel", "--index", str(tmp_path / "nostem"))
    assert refused.returncode == 3, refused.stderr
    assert "kvsearch index --full" in refused.stderr
    assert run_cli("maatregel", "--index", str(tmp_path / "shipped")).returncode == 0
