"""A search reads its matches from the posting lists once: its ranking, its count and its
facet counts share them."""

from __future__ import annotations

import contextlib
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

import kvsearch
from kvsearch.analysis import vocabulary
from kvsearch.engine import bulk_scores, match_sets, ranking
from kvsearch.engine.packed_postings import PackedLeafMatcher
from kvsearch.engine.whole_index import ShapeOfAndMaybe, ShapeOfIntersection, shape_only
from kvsearch.query import parse_query
from kvsearch.searcher import open_searcher, plan
from kvsearch.searcher.facets import FACET_FIELDS, facet_counts


@pytest.mark.parametrize("once", [False, True])  # scored on arrays, or in Python
@pytest.mark.parametrize(
    ("text", "planned_kinds"),
    [("minister kamer", ("And", "WholeAnd")), ("ambtenaren", ("Or", "WholeOr"))],
)
def test_a_search_with_facets_reads_its_matches_once_per_segment(
    test_index: Path, monkeypatch: pytest.MonkeyPatch, text: str, planned_kinds: tuple[str, ...], once: bool
) -> None:
    reads: list[Any] = []
    original = match_sets.matching_docs

    def counted(leaf: Any, reader: Any, q: Any, *args: Any, **kwargs: Any) -> set[int]:
        if type(q).__name__ in planned_kinds:  # the planned query itself, not its parts
            reads.append(reader)
        return original(leaf, reader, q, *args, **kwargs)

    monkeypatch.setattr(match_sets, "matching_docs", counted)
    walked = bulk_scores._Segment.walk

    def counted_walk(segment: Any, m: Any, *args: Any) -> Any:
        if not args:  # the tree's root, not its parts
            reads.append(segment.reader)
        return walked(segment, m, *args)

    monkeypatch.setattr(bulk_scores._Segment, "walk", counted_walk)
    result = kvsearch.search(text, index_dir=test_index, facets=True, once=once)
    with open_searcher(test_index) as (opened, _info):
        segments = len(opened.whoosh.leaf_searchers())
    assert result.total > 0 and result.facets
    assert len(reads) == segments


def test_facets_from_the_shared_match_set_are_those_of_a_fresh_one(test_index: Path) -> None:
    result = kvsearch.search("minister kamer", index_dir=test_index, facets=True)
    with open_searcher(test_index) as (opened, _info):
        planned = plan.build_query(parse_query("minister kamer", None), opened, any_word=False)
        fresh = facet_counts(opened, ranking.match_set(planned))
    assert result.facets == fresh
    assert sum(fresh["year"].values()) == result.total


@pytest.mark.parametrize("lookup_cost", [0, ranking.LOOKUP_COST, 10**9])  # always looked up, either, always intersected
@pytest.mark.parametrize("text", ["minister", "kamer partij:VVD", "ambtenaren neutraliteit", "minist*"])
def test_facet_counts_are_the_hits_of_each_value(
    real_index: Path, monkeypatch: pytest.MonkeyPatch, text: str, lookup_cost: int
) -> None:
    # The reference: each value's passages (its postings) intersected with the matches.
    monkeypatch.setattr(ranking, "LOOKUP_COST", lookup_cost)
    with open_searcher(real_index) as (opened, _info):
        parsed = parse_query(text, None)
        matches = ranking.match_set(plan.build_query(parsed, opened, any_word=False))
        counted = facet_counts(opened, matches)
        expected: dict[str, Counter[str]] = {name: Counter() for name in FACET_FIELDS}
        for leaf, _offset in opened.whoosh.leaf_searchers():
            reader, hits = leaf.reader(), matches.in_segment(leaf)
            for name, fieldname in FACET_FIELDS.items():
                for btext in reader.lexicon(fieldname):
                    value = btext.decode("utf-8")
                    shown = vocabulary.facet_label(name, value)
                    found = len(hits & match_sets.posting_ids(leaf, reader, fieldname, value))
                    if shown and found:
                        expected[name][shown] += found
    assert counted == {name: dict(counter.most_common()) for name, counter in expected.items()}
    assert sum(counted["year"].values()) == kvsearch.search(text, index_dir=real_index).total > 0


@pytest.mark.parametrize("once", [False, True])  # on arrays, or in Python
def test_a_phrase_is_decoded_once_per_field_and_segment(
    test_index: Path, monkeypatch: pytest.MonkeyPatch, once: bool
) -> None:
    decoded: list[Any] = []
    original = match_sets.phrase_scores
    on_arrays = bulk_scores._Segment._phrase

    def counted(leaf: Any, reader: Any, q: Any, among: Any = None) -> Any:
        decoded.append((reader, q.fieldname))
        return original(leaf, reader, q, among)

    def counted_on_arrays(segment: Any, q: Any, among: Any) -> Any:
        decoded.append((segment.reader, q.fieldname))
        return on_arrays(segment, q, among)

    monkeypatch.setattr(match_sets, "phrase_scores", counted)
    monkeypatch.setattr(bulk_scores._Segment, "_phrase", counted_on_arrays)
    for text in ('"de minister"', '"de minister" jaar:2024-2025'):
        decoded.clear()
        result = kvsearch.search(text, index_dir=test_index, facets=True, once=once)
        assert result.total > 0 and result.facets, text
        assert len(decoded) == len(set(decoded)) > 0, text


@pytest.mark.parametrize("text", ["minister kamer", "ambtenaren neutraliteit", '"de minister"', "kamer partij:VVD"])
def test_without_the_count_a_search_ranks_as_with_it_from_its_match_set(
    test_index: Path, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    # A one-liner whose output is not a terminal does not count; an AND or a phrase is still
    # ranked from its match set, not by Whoosh's matchers one passage at a time (in Python:
    # a one-liner does not load NumPy).
    ranked_from_matches: list[str] = []
    original = ranking.top_k.best

    def counted(*args: Any, **kwargs: Any) -> Any:
        ranked_from_matches.append(text)
        return original(*args, **kwargs)

    monkeypatch.setattr(ranking.top_k, "best", counted)
    counted_result = kvsearch.search(text, index_dir=test_index, count=True, once=True)
    uncounted = kvsearch.search(text, index_dir=test_index, count=False, once=True)
    assert ranked_from_matches == [text, text]
    assert counted_result.hits
    assert [(hit.passage_id, hit.score) for hit in uncounted.hits] == [
        (hit.passage_id, hit.score) for hit in counted_result.hits
    ]


@pytest.mark.parametrize("count", [True, False])
def test_a_word_in_nearly_every_passage_is_ranked_from_its_match_set_a_common_one_by_skipping(
    test_index: Path, monkeypatch: pytest.MonkeyPatch, count: bool
) -> None:
    # The test corpus is small: the threshold above which Whoosh's skipping ranks a word is
    # lowered to 1 posting, so that "de" (in most fields of most passages) and "minister" (in
    # fewer) are both over it. Whoosh cannot skip blocks of a word that scores alike everywhere.
    monkeypatch.setattr(ranking, "RANK_FROM_MATCHES", 1)
    ranked_from_matches: list[str] = []
    original = ranking.top_k.best

    def from_matches(*args: Any, **kwargs: Any) -> Any:
        ranked_from_matches.append(str(args[1]))
        return original(*args, **kwargs)

    monkeypatch.setattr(ranking.top_k, "best", from_matches)
    with open_searcher(test_index) as (index, _info):
        reader = index.whoosh.reader()
        passages = reader.doc_count()
        postings = {
            word: sum(reader.doc_frequency(field, word) for field in ("title", "question", "answer"))
            for word in ("de", "minist")
        }
    assert postings["de"] > ranking.SKIPPING_UP_TO_PER_PASSAGE * passages >= postings["minist"]

    common = kvsearch.search("de", index_dir=test_index, count=count, once=True)
    assert len(ranked_from_matches) == 1
    rarer = kvsearch.search("minister", index_dir=test_index, count=count, once=True)
    assert len(ranked_from_matches) == 1  # skipped by Whoosh, not ranked from its match set
    monkeypatch.setattr(ranking, "SKIPPING_UP_TO_PER_PASSAGE", 1e9)
    skipped = kvsearch.search("de", index_dir=test_index, count=count, once=True)
    assert len(ranked_from_matches) == 1
    # The same hits; the scores may differ in the last bit (bulk scoring adds the fields in
    # another order).
    assert common.hits and [h.passage_id for h in common.hits] == [h.passage_id for h in skipped.hits]
    assert [h.score for h in common.hits] == pytest.approx([h.score for h in skipped.hits], rel=1e-12)
    assert rarer.hits
    if count:
        assert common.total == skipped.total == kvsearch.search("de", index_dir=test_index).total


#: A pasted question: its six rarest words are required, the others optional (AND MAYBE).
NATURAL_QUESTION = (
    "Waarom worden ambtenaren en medewerkers van gemeenten niet beter beschermd tegen discriminatie"
    " en intimidatie op het werk door leidinggevenden en collega's"
)


@pytest.mark.parametrize("limit", [1, 3, 10, 50])
@pytest.mark.parametrize(
    "text", ["minister", "ambtenaren neutraliteit", '"de minister"', "kamer partij:VVD", "minist*"]
)
def test_newest_first_takes_the_newest_from_the_date_column_as_whoosh_sorts_them(
    test_index: Path, monkeypatch: pytest.MonkeyPatch, text: str, limit: int
) -> None:
    # Only the hits are scored; Whoosh's sorting collector (the reference) scores every match.
    # A document's passages share its date, so ties and a limit inside them are common here.
    ours = kvsearch.search(text, index_dir=test_index, sort="date", limit=limit)
    monkeypatch.setattr(ranking.top_k, "newest", lambda *args, **kwargs: None)
    whooshs = kvsearch.search(text, index_dir=test_index, sort="date", limit=limit)
    assert ours.hits and ours.total == whooshs.total
    assert [(hit.passage_id, hit.score) for hit in ours.hits] == [(hit.passage_id, hit.score) for hit in whooshs.hits]


def test_a_date_range_in_an_and_is_matched_among_the_words_matches_without_estimating_it(
    test_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Estimating a date range lists its terms in each segment's term table: matching it
    among the other parts' matches needs no estimate, and finds the same passages."""
    text = "minister datum:2024-02-10..2024-11-20"  # not whole months: a range of dates
    before = kvsearch.search(text, index_dir=test_index, limit=50)
    estimated: list[Any] = []
    original = match_sets.query.NumericRange.estimate_size

    def counted(self: Any, reader: Any) -> int:
        estimated.append(type(reader).__name__)
        return original(self, reader)

    monkeypatch.setattr(match_sets.query.NumericRange, "estimate_size", counted)
    after = kvsearch.search(text, index_dir=test_index, limit=50)
    assert before.total > 0
    assert [(h.passage_id, h.score) for h in after.hits] == [(h.passage_id, h.score) for h in before.hits]
    assert after.total == before.total
    # At most once, over the whole index, when the query is planned; never while matching.
    assert len(estimated) <= 1, estimated


@pytest.mark.parametrize(
    "text",
    [
        "minister jaar:2024",
        "jaar:2023",
        '"de minister" datum:2023..2024',
        "ambtenaren datum:2024",
        "kamer -jaar:2024",
        "minister datum:2024-03",
        "kamer datum:2023-11..2024-02",
        "datum:2024-02",
    ],
)
@pytest.mark.parametrize("sort", ["relevance", "date"])
def test_a_filter_on_whole_years_or_months_reads_their_terms_with_the_ranges_hits_and_scores(
    test_index: Path, monkeypatch: pytest.MonkeyPatch, text: str, sort: str
) -> None:
    """``jaar:2024``, ``datum:2023..2024`` and ``datum:2023-11..2024-02`` match the terms of
    the calendar years or months, not a range of dates: the same passages, scores and order
    as the range."""
    by_terms = kvsearch.search(text, index_dir=test_index, limit=50, sort=sort)
    monkeypatch.setattr(plan, "_calendar_terms", lambda item: [])
    by_range = kvsearch.search(text, index_dir=test_index, limit=50, sort=sort)
    assert by_terms.total > 0 and by_terms.total == by_range.total
    assert [(h.passage_id, h.score) for h in by_terms.hits] == [(h.passage_id, h.score) for h in by_range.hits]


@pytest.mark.parametrize(
    ("kind", "value", "planned"),
    [
        ("year", "2024", "calendar_year:2024"),
        ("date", "2023..2024", "(calendar_year:2023 OR calendar_year:2024)"),
        ("date", "2023-12..2024-01", "(calendar_month:2023-12 OR calendar_month:2024-01)"),
        ("date", "2024-02", "calendar_month:2024-02"),
        ("date", "9999", "calendar_year:9999"),
        ("date", "2024-02-10..2024-12", "date:"),  # starts within a month
        ("date", "2024-02..2024-12-30", "date:"),  # ends within a month
        ("date", "2024..", "date:"),  # open
        ("date", "1950..2000", "date:"),  # more than 40 years
    ],
)
def test_only_whole_years_or_months_are_planned_as_their_terms(kind: str, value: str, planned: str) -> None:
    from kvsearch.query import make_filter

    found = str(plan._filter_query(make_filter(kind, value)))
    assert found.startswith("date:") if planned == "date:" else found == planned


@pytest.mark.parametrize(
    ("text", "after_the_word"),
    [
        # "richtlijnen" is planned as its term OR its parts near each other. Its parts are
        # rarer than "informatie", but their positions cost more to read than ids, and
        # "informatie" is in few passages: the AND reads it first and decodes the parts'
        # positions only in its passages.
        ("informatie richtlijnen", True),
        # "vragen" is in more than a quarter of the passages: nearly every block of the parts'
        # positions would be decoded among them all the same, so the rarer part goes first.
        ("vragen kamervragen", False),
    ],
)
@pytest.mark.parametrize("once", [False, True])  # scored on arrays, or in Python
def test_a_compounds_parts_written_apart_are_matched_among_a_rare_words_passages(
    test_index: Path, monkeypatch: pytest.MonkeyPatch, text: str, after_the_word: bool, once: bool
) -> None:
    near_among: list[Any] = []
    original = match_sets.phrase_scores
    on_arrays = bulk_scores._Segment._phrase

    def recorded(leaf: Any, reader: Any, q: Any, among: Any = None) -> Any:
        if type(q) is match_sets.Near:
            near_among.append(among)
        return original(leaf, reader, q, among)

    def recorded_on_arrays(segment: Any, q: Any, among: Any) -> Any:
        if type(q) is match_sets.Near:
            near_among.append(among)
        return on_arrays(segment, q, among)

    monkeypatch.setattr(match_sets, "phrase_scores", recorded)
    monkeypatch.setattr(bulk_scores._Segment, "_phrase", recorded_on_arrays)
    # On arrays, a part is read among the passages another left only where they are few.
    monkeypatch.setattr(bulk_scores, "NARROW_FROM", 1)
    ordered = kvsearch.search(text, index_dir=test_index, limit=50, once=once)
    assert near_among and all((among is not None) is after_the_word for among in near_among)
    near_among.clear()
    monkeypatch.setattr(match_sets, "POSITIONS_COST", 1)  # positions priced as ids: the rarer first
    as_ids = kvsearch.search(text, index_dir=test_index, limit=50, once=once)
    assert near_among and all(among is None for among in near_among)
    assert ordered.total == as_ids.total > 0 and not ordered.relaxed
    assert [(h.passage_id, h.score) for h in ordered.hits] == [(h.passage_id, h.score) for h in as_ids.hits]


@pytest.mark.parametrize("text", ["minister kamer", "vragen kamervragen", NATURAL_QUESTION])
def test_the_tree_a_search_is_scored_by_is_built_without_reading_postings(
    test_index: Path, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    # Scores come from posting tables; the tree only gives their shape, scorers and bounds.
    # Whoosh's AND and AND MAYBE matchers move to their first match when built.
    reads: list[int] = []
    original = PackedLeafMatcher._read_ids

    def counted(self: Any) -> None:
        reads.append(1)
        original(self)

    with open_searcher(test_index) as (opened, _info):
        parsed = parse_query(text, None)
        matches = ranking.match_set(plan.build_query(parsed, opened, any_word=parsed.natural))
        leaves = [leaf for leaf, _offset in opened.whoosh.leaf_searchers()]
        for leaf in leaves:  # matched first, as a search does (a phrase keeps its matches)
            matches.in_segment(leaf)
        monkeypatch.setattr(PackedLeafMatcher, "_read_ids", counted)
        moved = [matches.query.matcher(leaf) for leaf in leaves]
        assert reads, "Whoosh's own matchers find their first match"
        reads.clear()
        with shape_only():
            shaped = [matches.query.matcher(leaf) for leaf in leaves]
        assert not reads
    assert {type(m) for m in shaped} & {ShapeOfIntersection, ShapeOfAndMaybe}
    assert not {type(m) for m in moved} & {ShapeOfIntersection, ShapeOfAndMaybe}
    shaped_hits = kvsearch.search(text, index_dir=test_index, limit=20)
    monkeypatch.setattr(ranking.top_k, "shape_only", contextlib.nullcontext)  # Whoosh's matchers, moved
    moved_hits = kvsearch.search(text, index_dir=test_index, limit=20)
    assert shaped_hits.hits and shaped_hits.total == moved_hits.total
    assert [(h.passage_id, h.score) for h in shaped_hits.hits] == [(h.passage_id, h.score) for h in moved_hits.hits]
