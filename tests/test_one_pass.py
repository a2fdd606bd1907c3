"""A search reads its matches from the posting lists once (ranking, count and facets share
them), and a query of plain words is planned without Whoosh's query parser, into the very
tree the parser makes."""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any

import pytest
from whoosh.qparser import default as whoosh_parser

import kvsearch
from kvsearch.engine import match_sets, queries, ranking
from kvsearch.errors import QuerySyntaxError
from kvsearch.query import parse_query
from kvsearch.searcher import open_searcher, plan
from kvsearch.searcher.facets import facet_counts
from kvsearch.searcher.fields import FIELD_WEIGHTS, TEXT_FIELDS
from tests.conftest import REAL_CORPUS


def test_a_search_with_facets_reads_its_matches_once_per_segment(
    test_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[Any] = []
    original = match_sets.matching_docs

    def counted(leaf: Any, reader: Any, q: Any, *args: Any, **kwargs: Any) -> set[int]:
        if type(q).__name__ in ("And", "WholeAnd"):  # the planned query itself, not its parts
            reads.append(reader)
        return original(leaf, reader, q, *args, **kwargs)

    monkeypatch.setattr(match_sets, "matching_docs", counted)
    result = kvsearch.search("minister kamer", index_dir=test_index, facets=True)
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


def test_a_plain_query_is_planned_without_whoosh_query_parser(
    test_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("Whoosh's query parser was built")

    plain = kvsearch.search("minister kamer", index_dir=test_index)
    monkeypatch.setattr(whoosh_parser.QueryParser, "__init__", refused)
    again = kvsearch.search("minister kamer", index_dir=test_index)
    assert [hit.passage_id for hit in again.hits] == [hit.passage_id for hit in plain.hits]
    assert again.total == plain.total > 0
    with pytest.raises(QuerySyntaxError):  # the query language still goes through the parser
        kvsearch.search("minister OR kamer", index_dir=test_index)


def _corpus_words(limit: int = 200) -> list[str]:
    words: list[str] = []
    for path in sorted(REAL_CORPUS.rglob("*"))[:limit]:
        if path.is_file() and path.suffix in (".txt", ".md", ".xml", ".html"):
            words.extend(re.sub(r"<[^>]*>", " ", path.read_text(errors="ignore")).split())
    return words


def test_plain_words_make_the_tree_whoosh_parser_makes(test_index: Path) -> None:
    """Random words of real documents, punctuation and all: wherever the shortcut takes a
    query, its tree is the parser's (same terms, fields, boosts and normalisation)."""
    words = _corpus_words()
    rng = random.Random(20)
    taken = 0
    with open_searcher(test_index) as (opened, _info):
        parser = queries._parser(opened, TEXT_FIELDS, FIELD_WEIGHTS, any_word=False)
        for _ in range(1500):
            text = " ".join(rng.sample(words, rng.randint(1, 4)))
            shortcut = queries._plain_words(text, opened, TEXT_FIELDS, FIELD_WEIGHTS)
            if shortcut is None:
                continue
            taken += 1
            expected = parser.parse(text)
            assert shortcut == expected and repr(shortcut) == repr(expected), text
    assert taken > 1000
