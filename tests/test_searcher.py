"""The searcher's shortcuts against Whoosh's own answers, on real indexes on disk.

The hit count comes from sets of posting ids (``ranking.count_matches``) instead of Whoosh matching
every document; it must be exactly what Whoosh matches, also in an index with deleted
passages (an incremental build replaces documents by deleting their old passages)."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path
from typing import Any

import pytest
from whoosh.collectors import TopCollector

import kvsearch
from kvsearch import render
from kvsearch.engine import ranking
from kvsearch.engine.match_sets import live_matches
from kvsearch.engine.query_trees import has_coordination
from kvsearch.query import NATURAL_LANGUAGE_WORDS, parse_query
from kvsearch.searcher import open_searcher, plan
from kvsearch.searcher.run import run
from tests.conftest import REAL_CORPUS, run_cli

QUERIES = [
    "ambtenaren",
    "minister",
    "neutraliteit ambtenaren",
    '"uw Kamer"',
    "stikstof OR waterstof",
    "asiel NOT opvang",
    "asiel -opvang",
    "ambtena*",
    "(jeugdzorg OR ggz) wachttijden",
    "ambtenaren partij:JA21",
    "minister jaar:2024",
    "kamer datum:2024-01..2024-06",
    "status:onbeantwoord",
    "soort:mededeling",
    "vragen nr:1064",
    '"de minister"',
    '"vragen van het lid"',
    '"van het"',
    '"ook in"',
    '"in de"',
    '"ook in de"',
    '"van de minister"',
    '"in het kader van" jaar:2024',
    '"van de minister van"',
    '"dat het"',
    '"het het"',
    "asielopvang partij:VVD",
    "ontwikkelingshulp minister",
    '"de minister" asielzoekers jaar:2024',
    '"uw Kamer" OR "de minister" -stikstof',
    "Hoe neutraal zijn ambtenaren bij bijeenkomsten over de verkiezingsuitslag van november",
    "Bent u bekend met het bericht dat de wachttijden in de jeugdzorg en de ggz verder oplopen in Limburg",
    "Wat is uw reactie op de uitspraak van de rechter over de opvang van asielzoekers in Ter Apel",
]


def assert_counts_match(index: Path) -> None:
    with open_searcher(index) as (opened, _info):
        for text in QUERIES:
            parsed = parse_query(text, None)
            natural = parsed.is_plain and len(parsed.words) > NATURAL_LANGUAGE_WORDS
            whoosh_query = plan.build_query(parsed, opened, any_word=natural)
            whoosh_count = len(set(opened.whoosh.docs_for_query(whoosh_query)))
            assert ranking.count_matches(opened, ranking.match_set(whoosh_query)) == whoosh_count, text


def assert_hits_match(index: Path) -> None:
    """The hits found from posting sets (``match_sets.Within``) or scored on arrays
    (``bulk_scores``) are those Whoosh's own matchers find, in order and with the same scores
    (scoring every match: with its default of replacing matchers as it goes, Whoosh loses hits
    of "asiel -opvang")."""
    with open_searcher(index) as (opened, _info):
        for text, arrays in itertools.product(QUERIES, (False, True)):
            parsed = parse_query(text, None)
            natural = parsed.is_plain and len(parsed.words) > NATURAL_LANGUAGE_WORDS
            whoosh_query = plan.build_query(parsed, opened, any_word=natural)
            hits, total = run(opened, whoosh_query, 10, "relevance", arrays=arrays)
            if has_coordination(whoosh_query):
                own, count = scored_one_by_one(opened.whoosh, whoosh_query)
            else:
                collector = TopCollector(limit=10, usequality=False, replace=0)
                opened.whoosh.search_with_collector(whoosh_query, collector)
                results = collector.results()
                own, count = [(r.score, r["passage_id"]) for r in results], len(results)
            assert [h.passage_id for h in hits] == [passage_id for _score, passage_id in own], text
            assert [h.score for h in hits] == pytest.approx([score for score, _id in own], rel=1e-9), text
            assert total == count, text


def scored_one_by_one(opened: Any, whoosh_query: Any) -> tuple[list[tuple[float, str]], int]:
    """The best 10 matches of a pasted question, each scored by a Whoosh matcher made for it.

    Going from match to match, Whoosh's coordination bonus sometimes leaves out a term that a
    passage has (its score comes out a little low); a matcher
    made for the passage counts them all, and so does ``kvsearch.engine.top_k``.
    """
    scored = []
    for leaf, offset in opened.leaf_searchers():
        for doc in live_matches(leaf, whoosh_query):
            matcher = whoosh_query.matcher(leaf)
            matcher.skip_to(doc)
            assert matcher.id() == doc
            scored.append((-matcher.score(), offset + doc))
    scored.sort()
    return [(-score, opened.stored_fields(doc)["passage_id"]) for score, doc in scored[:10]], len(scored)


def test_hit_counts_are_what_whoosh_matches(real_index: Path) -> None:
    assert_counts_match(real_index)
    assert_hits_match(real_index)


@pytest.mark.slow
def test_hit_counts_skip_deleted_passages(tmp_path: Path) -> None:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(REAL_CORPUS / "limburg-2024", corpus)
    assert run_cli("index", "--corpus", str(corpus), "--index", str(index)).returncode in (0, 6)
    changed = sorted(corpus.glob("*.txt"))[:3]
    for path in changed:  # a changed document is deleted and added again
        path.write_text(
            path.read_text(encoding="utf-8") + "\nextra regel over ambtenaren en de minister\n", encoding="utf-8"
        )
    assert run_cli("index", "--corpus", str(corpus), "--index", str(index)).returncode in (0, 6)
    with open_searcher(index) as (opened, _info):
        assert any(leaf.reader().has_deletions() for leaf, _ in opened.whoosh.leaf_searchers())
    assert_counts_match(index)
    assert_hits_match(index)


@pytest.mark.parametrize("text", ["minister", "ambtenaren partij:JA21", '"uw Kamer"'])
def test_without_counting_the_hits_are_the_same(real_index: Path, text: str) -> None:
    counted = kvsearch.search(text, index_dir=real_index)
    uncounted = kvsearch.search(text, index_dir=real_index, count=False)
    assert [h.passage_id for h in uncounted.hits] == [h.passage_id for h in counted.hits]
    assert len(counted.hits) <= uncounted.total <= counted.total


def test_pasted_question_words_are_budgeted(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rarest words first: required ones until their passages reach the candidate budget (one
    word may overshoot it, there is always one), optional ones until the postings budget."""
    monkeypatch.setattr(plan, "NATURAL_CANDIDATES", 100)
    monkeypatch.setattr(plan, "NATURAL_POSTINGS", 1000)
    rare = [(df, f"w{df}", 1) for df in range(1, 40)]
    required, optional = plan._budgeted(rare)
    assert [t for t, _ in required] == [f"w{df}" for df in range(1, plan.NATURAL_REQUIRED_TERMS + 1)]
    assert len(required) + len(optional) == plan.NATURAL_MAX_TERMS
    common = [(5, "rare", 2), (400, "usual", 1), (500, "often", 1), (300_000, "everywhere", 1)]
    required, optional = plan._budgeted(common)
    assert required == [("rare", 2), ("usual", 1)]  # 5 < 100, so the next word is required too
    assert optional == [("often", 1)]  # 905 < 1000 postings; then the budget is spent
    assert plan._budgeted([(300_000, "everywhere", 1)]) == ([("everywhere", 1)], [])


def test_stats_read_one_passage_per_document(test_index: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The counts come from each document's first passage, not from every passage's stored
    text (inflating all of it is what made them slow at archive size), and they count what
    is there."""
    from kvsearch.engine.schema import _PerDocReader

    read: list[int] = []
    stored_fields = _PerDocReader.stored_fields

    def counted(self: _PerDocReader, docnum: int) -> dict[str, Any]:
        read.append(docnum)
        return stored_fields(self, docnum)

    monkeypatch.setattr(_PerDocReader, "stored_fields", counted)
    stats = kvsearch.index_stats(index_dir=test_index)
    monkeypatch.undo()
    with open_searcher(test_index) as (index, _info):
        passages = list(index.whoosh.all_stored_fields())
    assert stats["passages"] == len(passages)
    assert stats["documents"] == len({passage["doc_id"] for passage in passages}) > 1
    assert len(read) == stats["documents"] < len(passages)
    assert sum(stats["by_year"].values()) == stats["documents"]


def test_stats_and_status_print_what_the_api_answers(test_index: Path, tmp_path: Path) -> None:
    """``kvsearch stats`` and ``status`` print render's text of the public API's answers, and that
    text says what the index holds (and, without an index, that there is none: exit 3)."""
    stats = kvsearch.index_stats(index_dir=test_index)
    printed = run_cli("stats", "--index", str(test_index))
    assert printed.returncode == 0
    assert printed.stdout.rstrip("\n") == render.stats_as_text(stats)
    assert f"documents:   {stats['documents']}    passages: {stats['passages']}" in printed.stdout
    assert f"  {stats['by_year']['2023-2024']:5d}  2023-2024" in printed.stdout

    status = kvsearch.index_status(test_index)
    printed = run_cli("status", "--index", str(test_index))
    assert printed.returncode == 0
    assert printed.stdout.rstrip("\n") == render.status_as_text(status)
    assert f"live:          {stats['generation']} (built " in printed.stdout

    missing = tmp_path / "no-index"
    printed = run_cli("status", "--index", str(missing))
    assert printed.returncode == 3
    assert printed.stdout.rstrip("\n") == render.status_as_text(kvsearch.index_status(missing))
    assert "live:          none\ncontents:      -" in printed.stdout


QUERY_LANGUAGE = [
    "ambtenaren",
    "neutraliteit ambtenaren",
    '"uw Kamer" asiel',
    "stikstof OR waterstof",
    "stikstof OF waterstof NIET ammoniak",
    "jeugdzorg AND wachttijden",
    "ambtena*",
    "stikstof (-ammoniak)",
    "-opvang asiel",
    "+asiel Nagorno-Karabach",
    "asiel^2 opvang",
    "title:asiel [a TO b] *:* 'enkel'",
    "NOT NOT NOT",
    "$(rm -rf /)",
]


@pytest.mark.parametrize("any_word", [False, True])
def test_the_query_parser_is_whooshs_default_set_less_the_plugins_removed(test_index: Path, any_word: bool) -> None:
    """The parser is built from the plugins kvsearch keeps, not from Whoosh's default set with
    some removed (their patterns would be compiled for nothing); it must parse as that would."""
    import re

    from whoosh import qparser

    from kvsearch.engine import query_language
    from kvsearch.searcher.fields import FIELD_WEIGHTS, TEXT_FIELDS

    with open_searcher(test_index) as (index, _info):
        re.purge()
        ours = query_language._parser(index, TEXT_FIELDS, FIELD_WEIGHTS, any_word)
        compiled = {key[1] for key in re._cache}  # type: ignore[attr-defined]
        assert qparser.SingleQuotePlugin.expr not in compiled and qparser.EveryPlugin.expr not in compiled
        group = qparser.OrGroup.factory(0.9) if any_word else qparser.AndGroup
        default = qparser.MultifieldParser(
            list(TEXT_FIELDS), index.whoosh.schema, fieldboosts=FIELD_WEIGHTS, group=group
        )
        for plugin in (qparser.FieldsPlugin, qparser.RangePlugin, qparser.EveryPlugin, qparser.SingleQuotePlugin):
            default.remove_plugin_class(plugin)
        default.add_plugin(next(p for p in ours.plugins if isinstance(p, qparser.PlusMinusPlugin)))
        default.replace_plugin(next(p for p in ours.plugins if isinstance(p, qparser.OperatorsPlugin)))
        assert [type(p) for p in ours.plugins] == [type(p) for p in default.plugins]
        for text in QUERY_LANGUAGE:
            assert parsed(ours, text) == parsed(default, text), text


def parsed(parser: Any, text: str) -> str:
    """The query tree a parser makes of ``text``, or the kind of error it fails with."""
    try:
        return repr(parser.parse(text))
    except Exception as error:  # Whoosh's parser fails in odd ways ("NOT NOT NOT")
        return type(error).__name__


def test_parts_written_near_each_other_are_the_passages_whooshs_span_matching_finds(real_index: Path) -> None:
    """A compound's parts written apart (``match_sets.Near``, matched from positions read in
    bulk) are found in exactly the passages Whoosh's own ``SpanNear`` matcher finds: each
    part once or several times, at the same position, near, at the limit, past it, in
    either order. The word pairs are taken from the passages' own text."""
    from kvsearch.analysis import index_positions
    from kvsearch.engine.match_sets import Near, phrase_scores

    with open_searcher(real_index) as (opened, _info):
        pairs: set[tuple[str, str]] = set()
        for doc in range(0, opened.whoosh.doc_count_all(), 7):
            positions, _count = index_positions(opened.whoosh.stored_fields(doc).get("question") or "")
            once = sorted((places[0], term) for term, places in positions.items() if len(places) == 1)
            pairs.update((b, a) for (p, a), (q, b) in itertools.combinations(once, 2) if 0 < q - p <= 4)
            pairs.update(itertools.islice(itertools.combinations(sorted(positions), 2), 3))
        found_per_slop = dict.fromkeys((1, 3), 0)
        for leaf, _offset in opened.whoosh.leaf_searchers():
            reader = leaf.reader()
            for (first, second), slop in itertools.product(sorted(pairs)[:400], (1, 3)):
                near = Near("question", [first, second], slop=slop)
                found = phrase_scores(leaf, reader, near)
                assert found is not None
                assert set(found) == set(near.matcher(leaf).all_ids()), (first, second, slop)
                found_per_slop[slop] += len(found)
    assert found_per_slop[1] > 10 and found_per_slop[3] > found_per_slop[1]
