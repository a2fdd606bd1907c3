"""Scoring every match on arrays (``kvsearch.engine.bulk_scores``) ranks as scoring in Python
does: the same hits, the same scores to the last bit, the same totals and facet counts, in an
index of one segment or several, for words, ORs, NOTs, filters, phrases, compounds, prefixes,
dates and pasted questions."""

from __future__ import annotations

import random
import subprocess
import sys
from collections import Counter
from itertools import chain
from pathlib import Path

import numpy as np
import pytest

import kvsearch
from kvsearch.engine import bulk_scores, match_sets, ranking
from kvsearch.query import NATURAL_LANGUAGE_WORDS, parse_query
from kvsearch.searcher import open_searcher, plan
from kvsearch.searcher.facets import FACET_FIELDS
from tests.conftest import ROOT
from tests.test_layering import loaded_after
from tests.test_segments import indexes  # noqa: F401  (the fixture: the corpus as 1, 2 and 3 segments)

ON_ARRAYS = [
    "minister",
    "de",
    "ambtenaren",
    "neutraliteit ambtenaren",
    "minister kamer vragen",
    "stikstof OR waterstof",
    "kamer OR minister OR vragen",
    "asiel NOT opvang",
    "asiel -opvang",
    "(jeugdzorg OR ggz) wachttijden",
    "ambtenaren partij:JA21",
    "minister jaar:2024",
    "status:onbeantwoord",
    '"uw Kamer"',
    '"de minister" ambtenaren',
    "kamer datum:2024-01..2024-06",
    "stikstofuitstoot boeren",
    "ambtena*",
    "minist* partij:JA21",
    '"van het"',
    '"in de kamer"',
    '"in het kader van" jaar:2024',
    '"vragen van het lid"',
    "informatie richtlijnen",
    "asielopvang",
    "Hoe neutraal zijn ambtenaren bij bijeenkomsten over de verkiezingsuitslag van november",
    "Bent u bekend met het bericht dat de wachttijden in de jeugdzorg en de ggz verder oplopen in Limburg",
    "Wat is uw reactie op de uitspraak van de rechter over de opvang van asielzoekers in Ter Apel",
]


def planned(opened: object, text: str) -> object:
    parsed = parse_query(text, None)
    natural = parsed.is_plain and len(parsed.words) > NATURAL_LANGUAGE_WORDS
    return plan.build_query(parsed, opened, any_word=natural)  # type: ignore[arg-type]


@pytest.mark.parametrize("limit", [1, 10, 50])
def test_arrays_rank_count_and_facet_as_python(indexes: dict[int, Path], limit: int) -> None:  # noqa: F811
    for jobs, index in indexes.items():
        for text in ON_ARRAYS:
            found = {}
            for once in (False, True):
                result = kvsearch.search(text, index_dir=index, limit=limit, facets=True, once=once)
                found[once] = ([(hit.passage_id, hit.score) for hit in result.hits], result.total, result.facets)
            assert found[False] == found[True], (jobs, text)
            assert found[False][1] > 0, (jobs, text)


def test_the_queries_above_are_scored_on_arrays(indexes: dict[int, Path]) -> None:  # noqa: F811
    """Else the comparison above would compare the Python path with itself."""
    for index in indexes.values():
        with open_searcher(index) as (opened, _info):
            for text in ON_ARRAYS:
                matches = ranking.match_set(planned(opened, text))
                assert bulk_scores.best(opened.whoosh, matches.query, 10) is not None, text


def test_an_ands_later_part_scores_only_the_passages_its_first_part_leaves(
    indexes: dict[int, Path],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A common word read for the few passages a rarer one matches keeps only their postings
    before it is scored (``KEPT_FROM``): it does so for some of the queries above, and the
    hits, scores, totals and facets are those of scoring every posting it read."""
    kept: list[int] = []
    flags = bulk_scores._Segment._flags

    def counted(segment: bulk_scores._Segment, among: np.ndarray) -> np.ndarray:
        kept.append(len(among))
        return flags(segment, among)

    monkeypatch.setattr(bulk_scores._Segment, "_flags", counted)
    for index in indexes.values():
        for text in ON_ARRAYS:
            with_keeping = _found(index, text)
            with monkeypatch.context() as never:
                never.setattr(bulk_scores, "KEPT_FROM", 10**9)
                assert _found(index, text) == with_keeping, text
    assert kept


def test_a_term_read_among_many_passages_reads_every_block_and_finds_the_same(
    indexes: dict[int, Path],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A term an AND reads among passages that are many against its postings reads all its
    blocks rather than look for those holding one (``EVERY_BLOCK_FROM``): the hits, scores,
    totals and facets are those of looking every block up, and it looks fewer up."""
    looked_up: Counter[int] = Counter()
    ordered = bulk_scores._Segment._ordered

    def counted(segment: bulk_scores._Segment, among: np.ndarray) -> list[int]:
        looked_up[bulk_scores.EVERY_BLOCK_FROM] += 1
        return ordered(segment, among)

    monkeypatch.setattr(bulk_scores._Segment, "_ordered", counted)
    for index in indexes.values():
        for text in ON_ARRAYS:
            with monkeypatch.context() as always:
                always.setattr(bulk_scores, "EVERY_BLOCK_FROM", 10**9)
                every_block = _found(index, text)
            with monkeypatch.context() as never:
                never.setattr(bulk_scores, "EVERY_BLOCK_FROM", 0)
                assert _found(index, text) == every_block, text
    assert looked_up[10**9] < looked_up[0]


def _found(index: Path, text: str) -> tuple[object, ...]:
    """A search's hits with their scores, its total and its facet counts."""
    result = kvsearch.search(text, index_dir=index, limit=10, facets=True)
    return [(hit.passage_id, hit.score) for hit in result.hits], result.total, result.facets


def test_a_search_in_a_library_loads_numpy_and_a_one_liner_does_not(sample_index: Path) -> None:
    search = f"import kvsearch; kvsearch.search('neutraliteit ambtenaren', index_dir={str(sample_index)!r}"
    assert "numpy" in loaded_after(search + ")")
    assert "numpy" not in loaded_after(search + ", once=True)")


#: A search's arrays, made and freed twice in a fresh process: six per segment of 500,000
#: passages; the page faults of the second time are printed.
_TWO_SEARCHES = """
import resource
import numpy as np
{load}
def search():
    arrays = [np.ones(500_000) for _ in range(6)]
    del arrays
search()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
search()
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def test_a_process_that_scores_on_arrays_keeps_their_memory_for_the_next_search() -> None:
    """Loading the array scorer keeps freed memory in the process, so a search's segment-sized
    arrays do not fault their pages in again (each 4 KiB) at every search."""
    from kvsearch.engine import scratch_memory

    if not scratch_memory.keep_freed_memory():
        pytest.skip("the C library has no malloc settings to keep freed memory (not glibc)")

    def faults(load: str) -> int:
        code = _TWO_SEARCHES.format(load=load)
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
        return int(done.stdout)

    assert faults("") > 1000  # without it: about 6,000 (24 MB)
    assert faults("import kvsearch.engine.bulk_scores") < 100


def test_a_one_liner_loads_numpy_when_its_words_have_many_postings(sample_index: Path) -> None:
    with open_searcher(sample_index) as (opened, _info):
        postings = match_sets.estimated_postings(planned(opened, "neutraliteit ambtenaren"), opened.whoosh.reader())
    assert postings > 0
    for threshold, loads in ((postings - 1, True), (postings, False)):
        search = (
            f"import kvsearch; from kvsearch.engine import ranking; ranking.ARRAYS_FROM_POSTINGS = {threshold}; "
            f"kvsearch.search('neutraliteit ambtenaren', index_dir={str(sample_index)!r}, once=True)"
        )
        assert ("numpy" in loaded_after(search)) is loads, threshold


def test_phrases_and_compounds_are_matched_on_arrays(test_index: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Their positions are compared on arrays, not in Python (which would give the same)."""
    phrases = ['"uw Kamer"', '"van het"', '"in de kamer"', '"vragen van het lid"', "informatie richtlijnen"]
    in_python = [kvsearch.search(text, index_dir=test_index, limit=20, once=True) for text in phrases]

    def not_here(*args: object, **kwargs: object) -> None:
        raise AssertionError("a phrase was matched in Python")

    monkeypatch.setattr(match_sets, "phrase_scores", not_here)
    for text, expected in zip(phrases, in_python, strict=True):
        found = kvsearch.search(text, index_dir=test_index, limit=20)
        assert found.total == expected.total > 0, text
        assert [(hit.passage_id, hit.score) for hit in found.hits] == [
            (hit.passage_id, hit.score) for hit in expected.hits
        ], text


@pytest.mark.parametrize(
    "lengths", [(0, 5), (5, 0), (3, 40), (40, 3), (5000, 20), (20, 5000), (3000, 2500), (2500, 3000), (9000, 9000)]
)
def test_membership_is_the_same_by_bisection_and_by_table(lengths: tuple[int, int]) -> None:
    """Each value is found exactly where the other side holds it, whichever side is looked up
    in the other by bisection (one side short), by a flag per value (both long, a range of
    document numbers) and by ``np.isin`` (both long, values far apart)."""
    chosen = random.Random(sum(lengths))
    values = range(0, 40_000, 2)
    ordered = np.array(sorted(chosen.sample(values, lengths[0])), dtype=np.int64)
    shared = chosen.sample(ordered.tolist(), min(lengths[0], lengths[1]) // 2)
    others = chosen.sample(range(1, 40_001, 2), lengths[1] - len(shared))  # odd: none in ordered
    among = np.array(sorted(shared + others), dtype=np.int64)
    held = set(among.tolist())
    expected = [value in held for value in ordered.tolist()]
    assert bulk_scores._members(ordered, among).tolist() == expected
    far_apart = 1 << 40  # a phrase's places: passages numbered apart by the longest text
    assert bulk_scores._members(ordered * far_apart, among * far_apart).tolist() == expected


@pytest.mark.parametrize("how_many", [3, 64, 130])
def test_values_are_counted_per_combination_however_many_a_field_has(tmp_path: Path, how_many: int) -> None:
    """A field of more than 64 values takes more than one word of bits per passage."""
    from whoosh import fields
    from whoosh import index as whoosh_index

    rng = random.Random(how_many)
    names = [f"v{number:03d}" for number in range(how_many)]
    chosen = [sorted(rng.sample(names, rng.randint(0, 3))) for _ in range(400)]
    ix = whoosh_index.create_in(str(tmp_path), fields.Schema(tags=fields.KEYWORD))
    with ix.writer() as writer:
        for tags in chosen:
            writer.add_document(tags=" ".join(tags))
    with ix.searcher() as searcher:
        leaf, reader = searcher, searcher.reader()
        for docs in (np.arange(len(chosen)), np.arange(1, len(chosen), 3), np.empty(0, dtype=np.int64)):
            values, found = bulk_scores.value_counts_of(leaf, reader, "tags", docs)
            assert {values[number]: count for number, count in found.items()} == Counter(
                tag for doc in docs.tolist() for tag in chosen[doc]
            )
    assert len(values) == len({tag for tags in chosen for tag in tags})
    assert len(values) > 64 or how_many <= 64  # more than one word of bits where asked


def test_prepare_makes_what_the_facet_counts_read(test_index: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = kvsearch.search("ambtenaren", index_dir=test_index, facets=True).facets
    bulk_scores._VALUE_COMBINATIONS.clear()
    kvsearch.prepare(test_index)

    def not_again(*args: object) -> None:
        raise AssertionError("made again")

    monkeypatch.setattr(bulk_scores._ValueCombinations, "of", not_again)
    assert kvsearch.search("ambtenaren", index_dir=test_index, facets=True).facets == expected
    assert expected["party"] and expected["ministry"] and expected["year"]


def test_prepare_says_when_there_is_no_index(tmp_path: Path) -> None:
    with pytest.raises(kvsearch.KvsearchError, match="no index"):
        kvsearch.prepare(tmp_path / "nothing")


def test_every_value_of_a_passage_is_counted(real_index: Path) -> None:
    """Counted on arrays as the Python column counts them, a passage asked by members of
    several parties counting for each of them."""
    several = 0
    with open_searcher(real_index) as (opened, _info):
        for leaf, _offset in opened.whoosh.leaf_searchers():
            reader = leaf.reader()
            for fieldname in FACET_FIELDS.values():
                python_values, column, _passages = ranking._value_column(leaf, reader, fieldname)
                for docs in (np.arange(reader.doc_count_all()), np.arange(0, reader.doc_count_all(), 3)):
                    values, found = bulk_scores.value_counts_of(leaf, reader, fieldname, docs)
                    assert values == python_values
                    assert found == dict(Counter(chain.from_iterable(column[doc] for doc in docs.tolist())))
                several += sum(len(numbers) > 1 for numbers in column)
    assert several > 0
