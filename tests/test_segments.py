"""A search ranks the same whatever number of segments the index has.

The same real documents are built as one segment and as several (a parallel build writes one
per writer process), and every query must give the same hits, scores and totals. Prefixes are
the hard case: Whoosh expands them per segment (``kvsearch.expansion``)."""

from __future__ import annotations

from pathlib import Path

import pytest

import kvsearch.searcher as searcher
from kvsearch.engine import whole_index as wholeindex
from kvsearch.indexer import write
from kvsearch.indexer.build import build_index
from kvsearch.searcher.fields import TEXT_FIELDS
from kvsearch.storage.generations import CURRENT
from tests.conftest import REAL_CORPUS

# fmt: off
QUERIES = [
    "ambtena*", "minist*", "wacht*", "limbu*", "provinc*", "gemeent*", "asiel*", "jeugd* wacht*",
    "ambt?nar*", "min*ter", "ambtenaren", "minister", "neutraliteit ambtenaren", '"uw Kamer"',
    '"de minister"', "stikstof OR waterstof", "asiel -opvang", "(jeugdzorg OR ggz) wachttijden",
    "minist* partij:JA21", "ambtenaren partij:JA21", "minister jaar:2024", "kamer datum:2024-01..2024-06",
    "status:onbeantwoord", '"uw Kamer" OR minist* -stikstof',
    "ambtenaren wachttijden stikstof",  # no passage has all three: any of them, more ranks higher
    "Hoe neutraal zijn ambtenaren bij bijeenkomsten over de verkiezingsuitslag van november",
    "Bent u bekend met het bericht dat de wachttijden in de jeugdzorg en de ggz verder oplopen in Limburg",
]
# fmt: on


@pytest.fixture(scope="module")
def indexes(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    """The corpus built by 1, 2 and 3 writers (as many segments)."""
    corpus = REAL_CORPUS
    built = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(write, "PARALLEL_MIN_DOCUMENTS", 2)
        for jobs in (1, 2, 3):
            patch.setattr(write, "WRITE_JOBS", jobs)
            index = tmp_path_factory.mktemp(f"jobs{jobs}") / "index"
            build_index(corpus, index, full=True)
            built[jobs] = index
    return built


def _segments(index: Path) -> int:
    with searcher.open_searcher(index) as (opened, _info):
        return len(opened.whoosh.leaf_searchers())


@pytest.mark.slow
def test_builds_have_one_segment_per_writer(indexes: dict[int, Path]) -> None:
    assert {jobs: _segments(index) for jobs, index in indexes.items()} == {1: 1, 2: 2, 3: 3}


def test_some_prefix_expands_to_one_term_in_a_segment_and_more_in_the_index(indexes: dict[int, Path]) -> None:
    """The case Whoosh ranked differently per segment: else the test below proves nothing."""
    found = []
    for jobs in (2, 3):
        with searcher.open_searcher(indexes[jobs]) as (opened, _info):
            for prefix in ("minist", "limbu", "provinc", "gemeent", "wacht"):
                for field in TEXT_FIELDS:
                    per_segment = [
                        len(list(leaf.reader().expand_prefix(field, prefix)))
                        for leaf, _ in opened.whoosh.leaf_searchers()
                    ]
                    if 1 in per_segment and len(list(opened.whoosh.reader().expand_prefix(field, prefix))) > 1:
                        found.append((jobs, prefix, field))
    assert found


@pytest.mark.parametrize("sort", ["relevance", "date"])
@pytest.mark.parametrize("large", [False, True])
def test_hits_scores_and_totals_do_not_depend_on_segments(
    indexes: dict[int, Path], sort: str, large: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``large``: as in an index of over 5,000 passages, where Whoosh scores a prefix's terms
    by BM25 (in a smaller one, each match of a prefix with several terms scores 1)."""
    if large:
        monkeypatch.setattr(wholeindex, "ARRAY_OR_DOCUMENTS", 0)

    def answers(index: Path) -> list[tuple[str, list[tuple[str, float]], int, dict[str, dict[str, int]]]]:
        found = []
        for text in QUERIES:
            result = searcher.search(text, index_dir=index, limit=20, sort=sort, facets=True)
            found.append((text, [(h.passage_id, h.score) for h in result.hits], result.total, result.facets))
        return found

    one = answers(indexes[1])
    assert all(total for _text, _hits, total, _facets in one)
    for jobs in (2, 3):
        assert answers(indexes[jobs]) == one, jobs


def test_similar_passages_do_not_depend_on_segments(indexes: dict[int, Path]) -> None:
    def answers(index: Path) -> list[list[tuple[str, float]]]:
        found = []
        for text in ("wachttijden in de jeugdzorg", "neutraliteit van ambtenaren bij verkiezingen"):
            result = searcher.similar(index_dir=index, text=text, limit=20)
            found.append([(h.passage_id, h.score) for h in result.hits])
        return found

    one = answers(indexes[1])
    assert all(one)
    assert answers(indexes[2]) == one
    assert answers(indexes[3]) == one


def test_generation_files_are_one_segment_each(indexes: dict[int, Path]) -> None:
    """Each writer's segment is a compound file of its own (sanity check on what was built)."""
    for jobs, index in indexes.items():
        generation = index / (index / CURRENT).read_text().strip()
        assert len(list(generation.glob("*.seg"))) == jobs
