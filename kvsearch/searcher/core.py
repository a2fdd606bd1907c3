"""Answer queries from the published index. No Whoosh object ever leaves this module.

Readers follow ``CURRENT`` to a complete generation and never take the build lock, so a
search during a rebuild sees the old index until the new one is published.
"""

from __future__ import annotations

import copy
import math
import os
import re
import threading
import time
import weakref
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from datetime import time as day_time
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import kvsearch.engine.whoosh_import  # noqa: F401  (before any whoosh module: a lighter Whoosh import)

# isort: split
from whoosh import qparser, query, scoring, sorting
from whoosh.collectors import SortingCollector, TimeLimitCollector, TopCollector
from whoosh.filedb.filestore import FileStorage
from whoosh.qparser import syntax
from whoosh.searching import Searcher, TimeLimit

from kvsearch import analysis
from kvsearch.analysis import vocabulary
from kvsearch.engine import top_k as topk
from kvsearch.engine.match_sets import Near, live_matches, posting_ids, prematched, within
from kvsearch.engine.whole_index import WholeOr, whole_index
from kvsearch.errors import (
    IndexMissingError,
    IndexVersionError,
    KvsearchError,
    NotFoundError,
    QuerySyntaxError,
    UsageError,
)
from kvsearch.query import NATURAL_LANGUAGE_WORDS, Filter, ParsedQuery, parse_query  # noqa: F401  (tests read it here)
from kvsearch.results import Hit, SearchResult
from kvsearch.storage.generations import (
    VOCABULARY,
    changed_files,
    check_trusted,
    generation_problem,
    listed_files,
    live_generation,
    read_json,
    read_manifest,
    searchable_generation,
    versions,
)

TEXT_FIELDS = ("title", "question", "answer")
#: BM25F: a match in the subject or the answer weighs a little more than one in the question.
FIELD_WEIGHTS = {"title": 1.5, "question": 1.0, "answer": 1.2}
#: BM25 per field (Whoosh's BM25F sums per-field BM25 scores): term-frequency saturation and
#: length normalisation per field.
BM25_K1 = 1.2
BM25_B = {"title": 0.75, "question": 0.75, "answer": 0.75}
#: Natural-language queries: bonus for passages that match more of the query's words.
COORD_SCALE = 0.9
#: Natural-language queries drop words found in more than this share of the passages (de, het,
#: u, vraag …): they only add noise to a bag of words.
COMMON_SHARE = 0.3
#: … and Dutch function words, which say nothing about its topic (analysed like the query, so
#: they match its terms in every analyzer variant). Measured on tests/data/relevance.json:
#: long-question MRR@10 0.77 → 0.89, natural 0.88 → 0.96 (README, "Relevance").
NATURAL_STOP_WORDS: frozenset[str] = analysis.FUNCTION_WORDS
#: … and use at most this many of their words, the rarest ones; a passage must have one of the
#: NATURAL_REQUIRED_TERMS rarest (measured: 4 loses relevance, 6 and 10 do not).
NATURAL_MAX_TERMS = 30
NATURAL_REQUIRED_TERMS = 6
#: … and stop adding required words once their passages reach this many, and any words once
#: all their passages reach NATURAL_POSTINGS (``_budgeted``): at a million passages, the cost of
#: a pasted question stops growing with the index. Measured on six pasted questions against no
#: budget: at 100k the top 10 is unchanged; at 1M the source passage stays in the top 10 and the
#: slowest takes 0.26 s instead of 0.41 s (10,000 / 300,000) or 3.4 s (none).
NATURAL_CANDIDATES = 5_000
NATURAL_POSTINGS = 150_000
SEARCH_SECONDS = 5.0
#: A compound typed whole also finds its parts written apart (``asielopvang``: "opvang van
#: asielzoekers"), when they stand at most this many words from each other …
COMPOUND_PARTS_DISTANCE = 3
#: … and such a passage weighs less than one with the compound itself: the parts of a
#: compound also occur together in passages about something else.
COMPOUND_PARTS_WEIGHT = 0.5


class IndexInfo(NamedTuple):
    """What ``kvsearch stats`` and ``status`` show about the live index."""

    path: str
    generation: str
    manifest: dict[str, Any]
    #: Set when the generation searched is not the one ``CURRENT`` names (it is damaged).
    notice: str | None = None


class _OpenIndex(NamedTuple):
    """A generation opened once and kept for the next search of this process."""

    generation: str
    whoosh_index: Any
    searcher: Searcher
    info: IndexInfo
    lock: threading.RLock


#: Opened generations by index folder. A TUI or a script searches many times; opening the index
#: (its table of contents, segment files and a pickled schema) each time cost more than a query.
_OPEN: dict[str, _OpenIndex] = {}
_OPEN_LOCK = threading.Lock()


def _no_index_message(path: Path) -> str:
    """Where the index was looked for, whole: a relative default like ``index`` means nothing
    when run from another folder."""
    import shlex  # only on this error path: the one-liner imports little

    where = path.absolute()
    return (
        f"no index in {where}; build it with: kvsearch index --index {shlex.quote(str(where))}"
        " (or name another index with --index or KVSEARCH_INDEX)"
    )


@contextmanager
def open_searcher(index_dir: str | os.PathLike[str]) -> Iterator[tuple[Searcher, IndexInfo]]:
    """The live generation, opened for reading, for one search at a time.

    The opened index is kept for later calls while ``CURRENT`` names the same generation: a
    generation never changes once published, so only ``CURRENT`` is read again each time.

    Raises:
        IndexMissingError: there is no published index (says how to build one).
        IndexVersionError: the index was built by another kvsearch/analyzer version, or its
            folder can be written by other users (Whoosh unpickles data from it).
    """
    path = Path(index_dir)
    key = str(path)
    live = live_generation(path)
    kept = _OPEN.get(key)
    if live is not None and kept is not None and kept.generation == live.name and kept.info.notice is None:
        generation, notice = live, None  # opened and found whole before: only CURRENT is read again
    else:
        generation, notice = searchable_generation(path)
    if generation is None:
        if live is not None:
            raise IndexMissingError(
                f"the index in {path} is damaged ({generation_problem(live)}) and no earlier generation is whole; "
                f"rebuild it with: kvsearch index --index {path}"
            )
        raise IndexMissingError(_no_index_message(path))
    with _OPEN_LOCK:
        opened = _OPEN.get(key)
        if opened is None or opened.generation != generation.name:
            if opened is not None:
                with opened.lock:  # a search still running in another thread finishes first
                    _close(opened)
                del _OPEN[key]
            opened = _OPEN[key] = _open_generation(path, generation, notice)
    with opened.lock:
        try:
            yield opened.searcher, opened.info
        except (KvsearchError, KeyboardInterrupt):
            raise
        except Exception:
            # Whoosh raises many kinds on damaged data; only a file that no longer matches its
            # checksum makes it the index's fault rather than a bug.
            damaged = changed_files(generation, list(listed_files(opened.info.manifest)))
            if damaged:
                raise IndexMissingError(
                    f"the index at {generation} is damaged ({damaged[0]} is not as it was written); "
                    "rebuild it with: kvsearch index --full"
                ) from None
            raise


def _open_generation(path: Path, generation: Path, notice: str | None = None) -> _OpenIndex:
    check_trusted(generation)
    manifest = read_manifest(generation) or {}
    built_by = manifest.get("versions")
    chain = analysis.recorded_chain(built_by)
    if chain is None or built_by != versions(chain):
        raise IndexVersionError(
            f"the index in {path} was built by another version of kvsearch "
            f"({_describe(built_by)}; this is {_describe(versions())}); rebuild it with: kvsearch index --full"
        )
    try:
        # Memory-mapped and read in place (kvsearch.engine.whoosh_import): Whoosh alone would copy each
        # mapped segment part into memory when it opens it.
        ix = FileStorage(str(generation), readonly=True).open_index()
        searcher = ix.searcher(
            weighting=scoring.BM25F(K1=BM25_K1, **{f"{name}_B": BM25_B[name] for name in TEXT_FIELDS})
        )
    except Exception as error:  # whoosh raises many kinds on a damaged index
        raise IndexMissingError(
            f"the index at {generation} is unreadable ({type(error).__name__}); rebuild it with: kvsearch index --full"
        ) from None
    info = IndexInfo(str(path), generation.name, manifest, notice)
    return _OpenIndex(generation.name, ix, searcher, info, threading.RLock())


def _close(opened: _OpenIndex) -> None:
    opened.searcher.close()
    opened.whoosh_index.close()


def _describe(built: Any) -> str:
    if not isinstance(built, dict):
        return "unknown version"
    return f"kvsearch {built.get('kvsearch')}, schema {built.get('schema')}, analyzer {built.get('analyzer')}"


# --------------------------------------------------------------------------------------------
# Search


def search(
    text: str,
    *,
    index_dir: str | os.PathLike[str],
    limit: int = 10,
    sort: str = "relevance",
    filters: list[Filter] | None = None,
    facets: bool = False,
    count: bool = True,
) -> SearchResult:
    """Run a query in the kvsearch query language.

    With ``facets=True`` the result also counts all hits by party, ministry and year, for
    filter panels (``partij:``, ``ministerie:``, ``vergaderjaar:`` narrow them down). With
    ``count=False`` the total is only a lower bound (at least the hits returned), which saves
    counting every match of a common word when nobody shows the number.

    Raises:
        QuerySyntaxError: the query is not valid (one-line message).
        IndexMissingError, IndexVersionError: no usable index.
    """
    started = time.perf_counter()
    parsed = parse_query(text, filters)
    if sort not in ("relevance", "date"):
        raise QuerySyntaxError(f"sort must be 'relevance' or 'date', not {sort!r}")
    with open_searcher(index_dir) as (searcher, info):
        _check_filter_values(parsed.filters, searcher)
        natural = parsed.natural
        whoosh_query = _build_query(parsed, searcher, any_word=natural)
        hits, total = _run(searcher, whoosh_query, limit, sort, count)
        relaxed = natural
        if total == 0 and parsed.is_plain and len(parsed.words) > 1 and not natural:
            whoosh_query = _build_query(parsed, searcher, any_word=True)
            hits, total = _run(searcher, whoosh_query, limit, sort, count)
            hits = [hit._replace(missing=_missing_words(hit, parsed.words)) for hit in hits]
            relaxed = total > 0
        suggestion = None if total else _suggest(parsed, info, searcher)
        return SearchResult(
            query=text,
            hits=hits,
            total=total,
            seconds=time.perf_counter() - started,
            relaxed=relaxed and total > 0,
            suggestion=suggestion,
            facets=_facets(searcher, whoosh_query) if facets and total else {},
            notice=info.notice,
        )


#: Facet name -> the indexed field its values come from.
FACET_FIELDS = {"party": "parties", "ministry": "ministry", "year": "year"}


def _facets(searcher: Searcher, whoosh_query: query.Query) -> dict[str, dict[str, int]]:
    """Counts of the hits by party (of the askers), ministry and parliamentary year.

    Counted from posting sets: the hits intersected with each value's passages (a few dozen
    values per facet), instead of reading every hit's stored fields (about 1 s for 20,000 hits).
    The values are those the filters use, so a count is what choosing it will find.
    """
    counts: dict[str, Counter[str]] = {name: Counter() for name in FACET_FIELDS}
    for leaf, _offset in searcher.leaf_searchers():
        reader = leaf.reader()
        hits = live_matches(leaf, whoosh_query)
        if not hits:
            continue
        for name, fieldname in FACET_FIELDS.items():
            if fieldname not in leaf.schema:
                continue
            for btext in reader.lexicon(fieldname):
                term = btext.decode("utf-8") if isinstance(btext, bytes) else str(btext)
                label = vocabulary.facet_label(name, term)
                if label:
                    found = len(hits & _value_docs(leaf, reader, fieldname, term))
                    if found:
                        counts[name][label] += found
    return {name: dict(counter.most_common()) for name, counter in counts.items()}


#: Per segment reader, the passages of each facet value (a segment never changes).
_VALUE_DOCS: weakref.WeakKeyDictionary[Any, dict[tuple[str, str], set[int]]] = weakref.WeakKeyDictionary()


def _value_docs(leaf: Searcher, reader: Any, fieldname: str, term: str) -> set[int]:
    cache = _VALUE_DOCS.setdefault(reader, {})
    if (fieldname, term) not in cache:
        cache[(fieldname, term)] = posting_ids(leaf, reader, fieldname, term)
    return cache[(fieldname, term)]


def _parser(schema: Any, any_word: bool) -> qparser.QueryParser:
    group = qparser.OrGroup.factory(0.9) if any_word else qparser.AndGroup
    parser = qparser.MultifieldParser(list(TEXT_FIELDS), schema, fieldboosts=FIELD_WEIGHTS, group=group)
    for plugin in (qparser.FieldsPlugin, qparser.RangePlugin, qparser.EveryPlugin, qparser.SingleQuotePlugin):
        parser.remove_plugin_class(plugin)
    # "-word" excludes a word, but the hyphen inside "Nagorno-Karabach" must stay a hyphen.
    parser.add_plugin(_SignsPlugin(plusexpr=r"(?:^|(?<=[\s(]))\+", minusexpr=r"(?:^|(?<=[\s(]))-"))
    parser.replace_plugin(
        qparser.OperatorsPlugin(
            And=r"(?<=\s)(AND|EN)(?=\s)",
            Or=r"(?<=\s)(OR|OF)(?=\s)",
            Not=r"(^|(?<=(\s|[()])))(NOT|NIET)(?=\s)",
            AndNot=None,
            AndMaybe=None,
            Require=None,
        )
    )
    return parser


class _SignsPlugin(qparser.PlusMinusPlugin):  # type: ignore[misc]
    """``-word`` as ``NOT word`` and ``+word`` as ``word``, in any group. Whoosh's own plugin
    reads the signs only at the top level, and a sign left inside parentheses cannot become
    a query (``stikstof (-ammoniak)``, ``$(rm -rf /)``)."""

    def filters(self, parser: Any) -> list[tuple[Any, int]]:
        return [(self.do_signs, 510)]

    def do_signs(self, parser: Any, group: Any) -> Any:
        nodes = []
        sign = None
        for node in group:
            if isinstance(node, (self.Plus, self.Minus)):
                sign = node
                continue
            if isinstance(node, syntax.GroupNode):
                node = self.do_signs(parser, node)
            if isinstance(sign, self.Minus) and not isinstance(node, syntax.Operator):
                node = syntax.NotGroup([node])
            nodes.append(node)
            sign = None
        group.nodes = nodes
        return group


def _build_query(parsed: ParsedQuery, searcher: Searcher, *, any_word: bool) -> query.Query:
    parts: list[query.Query] = []
    natural = _natural_query(parsed, searcher) if any_word and (parsed.natural or parsed.is_plain) else None
    if natural is not None:
        parts.append(natural)
    elif parsed.natural:
        return query.NullQuery  # none of its words is in the index
    elif parsed.text:
        parts.append(_text_query(parsed, searcher, any_word))
    parts.extend(_filter_query(f) for f in parsed.filters)
    if not _has_positive(query.And(parts)):
        raise QuerySyntaxError(
            f"query {parsed.text!r} finds passages only by words they lack (NOT, -): "
            "add a word they must have, or a filter"
        )
    # Matchers built from the whole index's terms: a passage ranks the same however many
    # segments the index has (kvsearch.engine.whole_index).
    combined = parts[0] if len(parts) == 1 else query.And(parts)
    return whole_index(_exclusions_apart(combined), searcher.reader())


def _text_query(parsed: ParsedQuery, searcher: Searcher, any_word: bool) -> query.Query:
    try:
        text_query = _parser(searcher.schema, any_word).parse(parsed.text)
    except Exception:  # whoosh's parser fails in odd ways ("NOT NOT NOT")
        raise QuerySyntaxError(
            f"cannot read query {parsed.text!r}: check its operators (AND, OR, NOT, -), quotes and parentheses"
        ) from None
    if text_query is query.NullQuery or type(text_query).__name__ == "_NullQuery":
        raise QuerySyntaxError(f"no searchable words in query {parsed.text!r}")
    if _chain(searcher) is not analysis.SHIPPED:  # the baselines for evaluation split no compounds
        return text_query
    return _with_parts(text_query, _compound_words(parsed.text))


def _compound_words(text: str) -> dict[str, tuple[str, ...]]:
    """Query term -> the terms of its parts, for the compounds and hyphenated words of
    ``text`` outside quotes (a phrase is searched as typed)."""
    found = {}
    for part in re.split(r'"[^"]*"', text):
        for raw in analysis.words(part):
            parts = analysis.query_parts(raw)
            terms = analysis.word_terms(raw, query=True)
            if parts and terms:
                found[terms[0]] = parts
    return found


def _with_parts(q: query.Query, compounds: dict[str, tuple[str, ...]]) -> query.Query:
    """``q`` with each compound's term also matching its two parts near each other, in any
    order (the index holds the parts at the compound's own position, so the whole word
    and its parts written apart are found alike), and a word of more hyphenated parts its
    parts as a phrase. Nodes are copied, not rebuilt: an ``Or`` keeps its coordination bonus."""
    if not compounds:
        return q
    if type(q) is query.Term and q.fieldname in TEXT_FIELDS and q.text in compounds:
        parts = list(compounds[q.text])
        boost = q.boost * COMPOUND_PARTS_WEIGHT
        if len(parts) == 2:
            return query.Or([q, Near(q.fieldname, parts, slop=COMPOUND_PARTS_DISTANCE, boost=boost)])
        return query.Or([q, query.Phrase(q.fieldname, parts, boost=boost)])  # Noord-Holland-Zuid
    if isinstance(q, query.BinaryQuery):
        node = copy.copy(q)
        node.a, node.b = _with_parts(q.a, compounds), _with_parts(q.b, compounds)
        node.subqueries = (node.a, node.b)
        return node
    if isinstance(q, query.CompoundQuery):
        node = copy.copy(q)
        node.subqueries = [_with_parts(sub, compounds) for sub in q.subqueries]
        return node
    if isinstance(q, query.Not):
        node = copy.copy(q)
        node.query = _with_parts(q.query, compounds)
        return node
    return q


def _has_positive(q: query.Query) -> bool:
    """True when ``q`` needs a passage to have something, not only to lack something: a
    query of exclusions alone would match nearly every passage."""
    if isinstance(q, query.Not) or q is query.NullQuery or type(q).__name__ == "_NullQuery":
        return False
    if isinstance(q, query.And):
        return any(_has_positive(sub) for sub in q.subqueries)
    if isinstance(q, query.Or):
        return all(_has_positive(sub) for sub in q.subqueries)
    if isinstance(q, (query.AndNot, query.AndMaybe)):
        return _has_positive(q.a)
    return True


def _exclusions_apart(q: query.Query) -> query.Query:
    """``a AND NOT b`` as ``a ANDNOT b``: the same passages, but matched from posting sets
    (kvsearch.engine.match_sets) instead of by walking every passage that lacks ``b``."""
    if isinstance(q, query.BinaryQuery):
        node = copy.copy(q)
        node.a, node.b = _exclusions_apart(q.a), _exclusions_apart(q.b)
        node.subqueries = (node.a, node.b)
        return node
    if not isinstance(q, query.CompoundQuery):
        return q
    subs = [_exclusions_apart(sub) for sub in q.subqueries]
    excluded = [sub.query for sub in subs if isinstance(sub, query.Not)]
    kept = [sub for sub in subs if not isinstance(sub, query.Not)]
    if type(q) is not query.And or not excluded or not kept:
        node = copy.copy(q)
        node.subqueries = subs
        return node
    positive = kept[0] if len(kept) == 1 else query.And(kept, boost=q.boost)
    return query.AndNot(positive, excluded[0] if len(excluded) == 1 else query.Or(excluded))


def _natural_query(parsed: ParsedQuery, searcher: Searcher) -> query.Query | None:
    """A bag of words for a pasted question: any word may match, more matches rank higher.

    Words that tell passages apart are kept: Dutch function words and words in more than
    ``COMMON_SHARE`` of the passages are dropped (when that leaves nothing, all words count).
    None when the text has no searchable words (the parser then reports it).
    """
    reader = searcher.reader()
    total = max(1, reader.doc_count())
    chain = _chain(searcher)
    stop = _stop_terms(chain, NATURAL_STOP_WORDS)
    counts = Counter(t.text for t in chain.analyze(parsed.text, query=True))
    kept: list[tuple[int, str, int]] = []
    known: list[tuple[int, str, int]] = []
    for term, tf in counts.items():
        df = max(reader.doc_frequency(field, term) for field in TEXT_FIELDS)
        if df == 0:
            continue
        known.append((df, term, tf))
        if term not in stop and df <= total * COMMON_SHARE:
            kept.append((df, term, tf))
    required, optional = _budgeted(sorted(kept or known))
    if not required:
        return None

    def any_of(terms: list[tuple[str, int]]) -> query.Query:
        return query.Or(
            [
                query.Or(
                    [query.Term(field, term, boost=FIELD_WEIGHTS[field] * (1 + math.log(tf))) for field in TEXT_FIELDS]
                )
                for term, tf in terms
            ],
            scale=COORD_SCALE,
        )

    # Only passages with one of the rarest words are candidates; the other words add to their
    # score. Matching every passage with any of 30 words meant scoring most of the index
    # (1.5-3 s at 100k passages); this takes 0.15-0.35 s, with the same relevance figures.
    if not optional:
        return any_of(required)
    return query.AndMaybe(any_of(required), any_of(optional))


def _budgeted(ranked: list[tuple[int, str, int]]) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """The words a pasted question is searched with, (document frequency, term, count) rarest
    first: the required ones (a passage must have one) and the optional ones (they add to its
    score).

    The rarest words say most about the topic, and the cost of a search is the postings it
    reads, in pure Python. Words are taken rarest first, as required words until their
    postings reach ``NATURAL_CANDIDATES`` (at most ``NATURAL_REQUIRED_TERMS`` words; the last
    may overshoot, and there is always one), then as optional words while all postings stay
    within ``NATURAL_POSTINGS`` (at most ``NATURAL_MAX_TERMS`` words in all). At a million
    passages the 30 words of a pasted question read millions of postings; the budget keeps
    its cost that of a smaller index."""
    required: list[tuple[str, int]] = []
    optional: list[tuple[str, int]] = []
    spent = 0
    for df, term, tf in ranked[:NATURAL_MAX_TERMS]:
        if len(required) < NATURAL_REQUIRED_TERMS and spent < NATURAL_CANDIDATES and not optional:
            required.append((term, tf))
        elif spent + df <= NATURAL_POSTINGS:
            optional.append((term, tf))
        else:
            break
        spent += df
    return required, optional


@lru_cache(maxsize=16)
def _stop_terms(chain: analysis.AnalyzerChain, words: frozenset[str]) -> frozenset[str]:
    return frozenset(chain.terms(" ".join(sorted(words)), query=True))


def _filter_query(item: Filter) -> query.Query:
    if item.kind == "date":
        start = datetime.combine(item.start, day_time.min) if item.start else None
        end = datetime.combine(item.end, day_time.max) if item.end else None
        return query.DateRange("date", start, end)
    if item.kind == "session":
        return query.Term("year", item.value)
    if item.kind == "number":
        return query.Term("number", item.value)
    if item.kind == "status":
        return query.Term("status", item.value)
    if item.kind == "kind":
        return query.Term("kind", item.value)
    if item.kind == "doc_id":
        return query.Term("doc_id", item.value)
    field = {"party": "parties", "asker": "askers", "minister": "minister", "ministry": "ministry"}[item.kind]
    return query.Term(field, vocabulary.key(item.value))


def _run(
    searcher: Searcher, whoosh_query: query.Query, limit: int, sort: str, count: bool = True
) -> tuple[list[Hit], int]:
    """The best ``limit`` hits and the number of passages that match (without ``count``: at
    least the hits' number). A search that runs past SEARCH_SECONDS stops with what it has
    (the query guard keeps that rare: no leading wildcards, bounded length and terms)."""
    # Whoosh can skip blocks of postings that cannot reach the top ``limit`` (8x faster for a
    # common word at 100k passages), but then it does not count the matches, and with a
    # coordination bonus (a pasted question) it skips wrongly. Counting from posting sets is
    # cheap for a word or words joined by OR. For AND, phrases, filters and pasted questions,
    # Whoosh's skipping did not help; there the matches come from posting sets (which counts
    # them) and only the passages whose score bound may make the hits are scored (topk).
    skipping = not _has_coordination(whoosh_query) and (not count or _unions_of_terms(whoosh_query))
    if sort == "relevance" and not skipping:
        found = topk.best(searcher, prematched(whoosh_query), max(1, limit), SEARCH_SECONDS)
        if found is not None:
            top, total = found
            matched = _matched_terms(whoosh_query, searcher)
            hits = [_hit(searcher.stored_fields(doc), score, matched) for score, doc in top]
            return hits, total if hits else 0
    if sort == "date":
        collector = _NewestFirst(limit=max(1, limit))
    elif skipping:
        collector = TopCollector(limit=max(1, limit))
    else:
        collector = TopCollector(limit=max(1, limit), usequality=False, replace=0)
    bounded = TimeLimitCollector(collector, timelimit=SEARCH_SECONDS, use_alarm=False)
    try:
        # Without skipping, Whoosh would find every match itself, one passage at a time through
        # its matchers (phrases: decoding positions of every passage with all the words); the
        # matches come from posting sets instead, and Whoosh scores just those.
        searcher.search_with_collector(whoosh_query if skipping else within(whoosh_query), bounded)
    except TimeLimit:
        pass
    results = bounded.results()
    matched = _matched_terms(whoosh_query, searcher)
    # A sorting collector's result score is its sort key (a date as a number), not relevance.
    scores = collector.scores if isinstance(collector, _NewestFirst) else {}
    hits = [_hit(result.fields(), scores.get(result.docnum, result.score or 0.0), matched) for result in results]
    if not skipping or not hits:
        return hits, len(results) if hits else 0
    return hits, _count(searcher, whoosh_query) if count else results.scored_length()


class _NewestFirst(SortingCollector):  # type: ignore[misc]
    """The newest passages first, a document's passages in their own order, each with its
    relevance score in ``scores`` (by document number).

    Reversing the whole sort would also reverse the tie-break on document number, which
    puts a document's last question before its first."""

    def __init__(self, limit: int) -> None:
        super().__init__(sorting.FieldFacet("date", reverse=True), limit=limit)
        self.scores: dict[int, float] = {}

    def prepare(self, top_searcher: Searcher, q: query.Query, context: Any) -> None:
        # The matcher must stand on each collected passage to score it.
        super().prepare(top_searcher, q, context.set(needs_current=True))

    def collect(self, sub_docnum: int) -> Any:
        self.scores[self.offset + sub_docnum] = self.matcher.score()
        return super().collect(sub_docnum)


def _unions_of_terms(q: query.Query) -> bool:
    return type(q) is query.Term or (
        type(q) in (query.Or, WholeOr) and all(_unions_of_terms(sub) for sub in q.subqueries)
    )


def _has_coordination(q: query.Query) -> bool:
    if getattr(q, "scale", None):
        return True
    return any(_has_coordination(sub) for sub in q.children())


def _count(searcher: Searcher, whoosh_query: query.Query) -> int:
    """How many passages match, from sets of posting ids (Whoosh counts one match at a time)."""
    return sum(len(live_matches(leaf, whoosh_query)) for leaf, _offset in searcher.leaf_searchers())


def _matched_terms(whoosh_query: query.Query, searcher: Searcher) -> set[str]:
    """Index terms of the query's text part (prefixes expanded), for highlighting."""
    found: set[str] = set()
    pairs = set(whoosh_query.all_terms())
    try:  # prefixes ("ambtena*") expand to the index terms they match
        pairs |= set(whoosh_query.existing_terms(searcher.reader(), expand=True))
    except Exception:
        pass
    for fieldname, text in pairs:
        if fieldname in TEXT_FIELDS:
            found.add(text.decode("utf-8") if isinstance(text, bytes) else text)
    return found


def highlight_spans(text: str, matched: set[str]) -> list[tuple[int, int]]:
    """Character spans of the words in ``text`` whose analysis hits a matched term.

    Each distinct word is analysed once, as a query (cheap, cached); only a long word that
    contains a matched term is analysed fully, to find compound parts ("uitslag" in
    "verkiezingsuitslag"). This runs over every hit shown, so it avoids per-word work where
    it can: most texts have a few hundred distinct words and only a handful of hits.
    """
    hits = {raw for raw in set(analysis.words(text)) if _word_hits(raw, matched)}
    return analysis.spans_of_words(text, hits)


def _word_hits(raw: str, matched: set[str]) -> bool:
    found = analysis.word_terms(raw, query=True)
    if not found:
        return False
    term = found[0]
    if term in matched:
        return True
    if len(term) >= 7 and any(len(t) >= 3 and t in term for t in matched):
        return any(t in matched for t in analysis.word_terms(raw, query=False))
    return False


def _hit(stored: dict[str, Any], score: float, matched: set[str]) -> Hit:
    document = dict(stored.get("document") or {})
    question = stored.get("question", "")
    answer = stored.get("answer", "")
    questions = tuple(int(n) for n in (stored.get("questions") or "").split(",") if n)
    return Hit(
        passage_id=stored["passage_id"],
        doc_id=stored["doc_id"],
        questions=questions,
        question=question,
        answer=answer,
        score=float(score) if not math.isnan(score) else 0.0,
        document=document,
        notes=tuple(stored.get("notes") or ()),
        highlights={
            "title": highlight_spans(document.get("title") or "", matched),
            "question": highlight_spans(question, matched),
            "answer": highlight_spans(answer, matched),
        },
    )


def _missing_words(hit: Hit, words: list[str]) -> tuple[str, ...]:
    """The query ``words`` that ``hit`` has no matched word for (a compound counts as found
    when all its parts are, as the search finds it)."""
    found: set[str] = set()
    texts = {"title": hit.document.get("title") or "", "question": hit.question, "answer": hit.answer}
    for field, spans in hit.highlights.items():
        for start, end in spans:
            found.update(analysis.word_terms(texts[field][start:end], query=False))
    missing = []
    for word in words:
        terms = analysis.word_terms(word, query=True)
        parts = analysis.query_parts(word)
        if terms and terms[0] not in found and not (parts and set(parts) <= found):
            missing.append(word)
    return tuple(missing)


@lru_cache(maxsize=4)
def _vocabulary(path: str) -> tuple[dict[str, int], dict[str, list[str]]]:
    """A generation's surface words with their frequency, and grouped by first letter."""
    frequency = {str(w): int(n) for w, n in (read_json(Path(path)) or {}).items()}
    by_initial: dict[str, list[str]] = {}
    for word in frequency:
        by_initial.setdefault(word[:1], []).append(word)
    return frequency, by_initial


def _suggest(parsed: ParsedQuery, info: IndexInfo, searcher: Searcher) -> str | None:
    """ "bedoelde u …?": each unknown word replaced by the closest word of the index, and a
    party or ministry the index has no passages of by the closest one it has."""
    words = _suggested_words(parsed, info, searcher)
    filters = _suggested_filters(parsed.filters, searcher)
    if not filters:
        return words
    return " ".join([words or " ".join(parsed.words), *filters]).strip()


def _suggested_filters(filters: tuple[Filter, ...], searcher: Searcher) -> list[str]:
    out = []
    reader = searcher.reader()
    for item in filters:
        if item.kind in LISTED_FILTERS:
            fieldname, typed, _noun = LISTED_FILTERS[item.kind]
            term = vocabulary.key(item.value)
            close = [] if reader.doc_frequency(fieldname, term) else _close_values(item.kind, fieldname, term, reader)
            if close:
                out.append(f"{typed}:{close[0]}")
    return out


def _suggested_words(parsed: ParsedQuery, info: IndexInfo, searcher: Searcher) -> str | None:
    """The query's words with each unknown one replaced by the closest word of the index (a
    word is unknown when the index has none of its terms: "in de" stays as it is)."""
    frequency, by_initial = _vocabulary(str(Path(info.path) / info.generation / VOCABULARY))
    if not frequency or not parsed.words:
        return None
    import difflib  # only a search without hits needs it

    changed = False
    out = []
    for word in parsed.words:
        folded = analysis.fold(word)
        if folded in frequency or _in_index(word, searcher):
            out.append(word)
            continue
        # Typos rarely hit the first letter; comparing with every word took ~0.1 s a query.
        candidates = [w for w in by_initial.get(folded[:1], ()) if abs(len(w) - len(folded)) <= 2]
        close = difflib.get_close_matches(folded, candidates, n=3, cutoff=0.75)
        if close:
            best = max(close, key=lambda w: (difflib.SequenceMatcher(None, folded, w).ratio(), frequency[w]))
            out.append(best)
            changed = True
        else:
            out.append(word)
    return " ".join(out) if changed else None


def _in_index(word: str, searcher: Searcher) -> bool:
    reader = searcher.reader()
    terms = _chain(searcher).terms(word, query=True)
    return bool(terms) and all(any(reader.doc_frequency(field, term) for field in TEXT_FIELDS) for term in terms)


#: Filters whose values come from a fixed list (kvsearch.analysis.vocabulary): the field they search.
LISTED_FILTERS = {"party": ("parties", "partij", "party"), "ministry": ("ministry", "ministerie", "ministry")}


def _check_filter_values(filters: tuple[Filter, ...], searcher: Searcher) -> None:
    """Refuse a party or ministry that is neither a known name nor in the index.

    A known party the index has no passages of (``partij:GroenLinks`` after the merger) is
    a search without hits, with a suggestion; an unknown one (``partij:XYZ``) is a typo to
    be told about, with the values that are close or else all values the index has.

    Raises:
        QuerySyntaxError: names the filter and lists the close values.
    """
    reader = searcher.reader()
    for item in filters:
        if item.kind not in LISTED_FILTERS:
            continue
        fieldname, typed, noun = LISTED_FILTERS[item.kind]
        term = vocabulary.key(item.value)
        if reader.doc_frequency(fieldname, term) or vocabulary.is_listed(item.kind, term):
            continue
        close = _close_values(item.kind, fieldname, term, reader)
        if close:
            listing = f"close: {', '.join(close)}"
        else:
            listing = f"in this index: {', '.join(_values(item.kind, fieldname, reader)) or 'none'}"
        raise QuerySyntaxError(f"unknown {noun} in {typed}:{item.value} ({listing})")


def _values(kind: str, fieldname: str, reader: Any) -> list[str]:
    """The names a filter panel shows for the values the index has (one per value)."""
    labels = (vocabulary.facet_label(kind, _text(btext)) for btext in reader.lexicon(fieldname))
    return sorted({label for label in labels if label}, key=str.casefold)


def _close_values(kind: str, fieldname: str, term: str, reader: Any) -> list[str]:
    """Values of the index spelled like ``term``, or containing it ("groenlinks")."""
    import difflib  # only a mistyped filter needs it

    indexed = [_text(btext) for btext in reader.lexicon(fieldname)]
    close = difflib.get_close_matches(term, indexed, n=5, cutoff=0.6)
    close += [value for value in indexed if len(term) >= 3 and term in value]
    labels = (vocabulary.label_of(kind, value) for value in close)
    return list(dict.fromkeys(label for label in labels if label))


def _text(btext: Any) -> str:
    return btext.decode("utf-8") if isinstance(btext, bytes) else str(btext)


# --------------------------------------------------------------------------------------------
# Similar passages, documents, statistics


def similar(
    *,
    index_dir: str | os.PathLike[str],
    passage_id: str | None = None,
    text: str | None = None,
    limit: int = 10,
) -> SearchResult:
    """Passages that answer much the same question as ``passage_id`` or as ``text``.

    The question's most telling words (by how rare they are in the index) are searched in
    questions and answers; any of them may match, passages with more of them rank higher.
    """
    started = time.perf_counter()
    if passage_id is not None:
        _check_id(passage_id, passage=True)
    with open_searcher(index_dir) as (searcher, info):
        same_document = None
        if passage_id:
            stored = _stored_passage(searcher, _resolve_passage_id(searcher, passage_id))
            text = f"{stored.get('question', '')}"
            same_document = stored["doc_id"]
        if not text or not text.strip():
            raise QuerySyntaxError("similar needs a passage id (ID#N) or question text on standard input")
        key_terms = _key_terms(searcher, text)
        if not key_terms:
            raise QuerySyntaxError("the text has no searchable words")
        subqueries = [
            query.Term(field, term, boost=weight * FIELD_WEIGHTS.get(field, 1.0))
            for term, weight in key_terms
            for field in ("question", "answer", "title")
        ]
        whoosh_query = whole_index(query.Or(subqueries), searcher.reader())
        results = searcher.search(whoosh_query, limit=limit * 3 + 20, terms=False)
        matched = {term for term, _ in key_terms}
        # Other documents only: the passages around the question itself are no news.
        hits = [
            _hit(result.fields(), result.score or 0.0, matched)
            for result in results
            if result["doc_id"] != same_document
        ]
        hits.sort(key=lambda h: -h.score)
        seconds = time.perf_counter() - started
        return SearchResult(query=text, hits=hits[:limit], total=len(hits), seconds=seconds, notice=info.notice)


def _key_terms(searcher: Searcher, text: str, count: int = 25) -> list[tuple[str, float]]:
    reader = searcher.reader()
    total = max(1, reader.doc_count())
    frequencies = Counter(t.text for t in _chain(searcher).analyze(text, query=True))
    scored = []
    for term, tf in frequencies.items():
        df = max(reader.doc_frequency("question", term), reader.doc_frequency("answer", term))
        if df == 0 or df > total * 0.3:
            continue  # unknown here, or too common to tell passages apart (de, het, u …)
        idf = math.log(1 + total / df)
        scored.append((term, (1 + math.log(tf)) * idf))
    scored.sort(key=lambda pair: -pair[1])
    return scored[:count]


def _chain(searcher: Searcher) -> analysis.AnalyzerChain:
    """The analyzer chain the index was built with (its id is pickled in the schema)."""
    return searcher.schema["question"].analyzer.chain  # type: ignore[no-any-return]


def _stored_passage(searcher: Searcher, passage_id: str) -> dict[str, Any]:
    found = searcher.document(passage_id=passage_id)
    if found is None:
        raise NotFoundError(f"no passage {passage_id!r} in the index (see: kvsearch show {passage_id.split('#')[0]})")
    return found


def get_document(doc_id: str, *, index_dir: str | os.PathLike[str]) -> list[Hit]:
    """All passages of a document in order, or one passage for ``ID#N``.

    Raises:
        UsageError: ``doc_id`` is not shaped like an id.
        NotFoundError: no such document or passage.
    """
    _check_id(doc_id)
    with open_searcher(index_dir) as (searcher, _info):
        if "#" in doc_id:
            wanted = _resolve_passage_id(searcher, doc_id)
            return [_hit(_stored_passage(searcher, wanted), 0.0, set())]
        stored = sorted(searcher.documents(doc_id=doc_id), key=lambda s: s.get("order", 0))
        if not stored:
            raise NotFoundError(f"no document {doc_id!r} in the index")
        return [_hit(s, 0.0, set()) for s in stored]


#: What every id the indexer makes looks like: letters, digits and hyphens (``ah-tk-20232024-1064``,
#: ``file-<name>``), and for a passage ``#`` and its question numbers (``#8``, ``#6-7``).
_ID_SHAPE = re.compile(r"[\w-]{1,300}(?:#[\w-]{1,100})?")


def _check_id(wanted: str, *, passage: bool = False) -> None:
    """Refuse what cannot be an id (a path, a sentence, a megabyte) before the index is opened."""
    what = "passage id" if passage else "document id"
    if not _ID_SHAPE.fullmatch(wanted):
        shown = wanted if len(wanted) <= 60 else wanted[:60] + "…"
        example = "ah-tk-20232024-1064#8" if passage else "ah-tk-20232024-1064"
        raise UsageError(f"not a {what}: {shown!r} (an id looks like {example})")
    if passage and "#" not in wanted:
        raise UsageError(f"{what} needs '#' and a question number, such as {wanted}#1")


def _resolve_passage_id(searcher: Searcher, wanted: str) -> str:
    """Accept ``ID#8`` for the passage holding question 8 (e.g. ``ID#6-7``)."""
    doc_id, _, key = wanted.partition("#")
    if searcher.document(passage_id=wanted) is not None:
        return wanted
    if key.isdigit():
        for stored in searcher.documents(doc_id=doc_id):
            if key in (stored.get("questions") or "").split(","):
                return str(stored["passage_id"])
    raise NotFoundError(f"no passage {wanted!r} in the index")


def index_stats(*, index_dir: str | os.PathLike[str]) -> dict[str, Any]:
    """Counts by year, ministry, party and kind, and how and when the index was built."""
    with open_searcher(index_dir) as (searcher, info):
        documents: dict[str, dict[str, Any]] = {}
        passages = 0
        for stored in searcher.all_stored_fields():
            passages += 1
            documents.setdefault(stored["doc_id"], stored.get("document") or {})
        by = {name: Counter() for name in ("year", "kind", "ministry", "party")}
        for meta in documents.values():
            by["year"][meta.get("year") or "?"] += 1
            by["kind"][meta.get("kind") or "?"] += 1
            answerer = meta.get("answered_by") or {}
            if answerer.get("ministry"):
                by["ministry"][re.split(r"\s+[–—-]\s+", answerer["ministry"])[0]] += 1
            for party in {a.get("party") for a in meta.get("askers") or [] if a.get("party")}:
                by["party"][party] += 1
        manifest = info.manifest
        return {
            "index": info.path,
            "generation": info.generation,
            "built": manifest.get("built"),
            "versions": manifest.get("versions"),
            "corpus": manifest.get("corpus"),
            "documents": len(documents),
            "passages": passages,
            "by_year": dict(sorted(by["year"].items())),
            "by_kind": dict(by["kind"].most_common()),
            "by_ministry": dict(by["ministry"].most_common()),
            "by_party": dict(by["party"].most_common()),
        }
