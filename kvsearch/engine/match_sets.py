"""Which passages a query matches, as sets of document numbers read from the posting lists.

Whoosh finds matches one document at a time, through a tree of matchers in pure Python; for
a phrase of common words it decodes the positions of every passage that has all of them,
which grows with the index ("ook in"). Sets of posting ids are intersected and joined in C, and
a phrase's positions are decoded only for the passages that have all its words, the rarest
word first. :class:`Within` then lets Whoosh score just those passages, with its own matchers,
so the scores stay exactly Whoosh's. Used through :mod:`kvsearch.engine.ranking`.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from contextvars import ContextVar
from itertools import accumulate
from pickle import loads
from typing import Any

import kvsearch.engine.whoosh_import  # noqa: F401  (before any whoosh module: a lighter Whoosh import)

# isort: split
from whoosh import formats, matching, query
from whoosh.matching.wrappers import WrappingMatcher
from whoosh.query.spans import SpanNear2
from whoosh.scoring import BM25FScorer
from whoosh.searching import Searcher
from whoosh.system import _INT_SIZE

from kvsearch.analysis.common_pairs import pair_term
from kvsearch.engine.packed_postings import SOME_POSTINGS, every_posting
from kvsearch.engine.query_trees import with_children
from kvsearch.engine.schema import BYTE_LENGTHS, CommonPairs, PairWeights, pair_field_name
from kvsearch.engine.whole_index import Expanded, WholeAnd, WholeAndMaybe, WholeOr, switched_on

#: Per (field, indexed term): its weight in each document it was read for.
Tables = dict[tuple[str, bytes], dict[int, float]]
#: Per word of a phrase: its weight and positions in each document it was read for.
WordPostings = dict[int, dict[int, tuple[float, list[int]]]]
#: Decoding a posting's positions against reading its id, to order the parts of an AND.
POSITIONS_COST = 4


def live_matches(leaf: Searcher, q: query.Query, tables: Tables | None = None) -> set[int]:
    """The segment's document numbers that ``q`` matches, without deleted passages. With
    ``tables``, each term's weights in the documents it was read for are kept there."""
    reader = leaf.reader()
    matching_set = matching_docs(leaf, reader, q, None, tables)
    if reader.has_deletions():
        matching_set = matching_set - reader.deleted_docs_set
    return matching_set


class MatchSet:
    """The passages one query matches, per segment, read from the posting lists once and then
    shared by everything a search asks of them: its ranking, its count and its facet counts."""

    def __init__(self, q: query.Query) -> None:
        self.query = q
        self._segments: dict[int, tuple[Any, set[int]]] = {}
        self._found: dict[int, tuple[Any, Any]] = {}

    def in_segment(self, leaf: Searcher, tables: Tables | None = None) -> set[int]:
        """The segment's live matches; with ``tables``, the first reading keeps each term's
        weights there (a later one finds the set already made and leaves ``tables`` as it is)."""
        reader = leaf.reader()
        known = self._segments.get(id(reader))
        if known is None or known[0] is not reader:
            found = self._found.get(id(reader))
            if found is not None and found[0] is reader:
                known = (reader, set(found[1].tolist()))
            else:
                known = (reader, live_matches(leaf, self.query, tables))
            self._segments[id(reader)] = known
        return known[1]

    def found(self, leaf: Searcher, docs: Any) -> None:
        """The segment's live matches, found by scoring them all on arrays (a NumPy array of
        document numbers): made a set only when one is asked for."""
        reader = leaf.reader()
        self._found[id(reader)] = (reader, docs)

    def scored_on_arrays(self, leaf: Searcher) -> Any:
        """The segment's live matches as :meth:`found` was given them; None when they were
        not found that way."""
        reader = leaf.reader()
        found = self._found.get(id(reader))
        return found[1] if found is not None and found[0] is reader else None


def matching_docs(
    leaf: Searcher, reader: Any, q: query.Query, among: set[int] | None = None, tables: Tables | None = None
) -> set[int]:
    """The segment's document numbers that ``q`` matches (deletions not removed yet); with
    ``among``, only those of these documents (posting blocks without any are not read)."""
    kind = type(q)
    if kind is query.And or kind is WholeAnd:  # the likely cheapest part first; the others only among its matches
        found = among
        for sub in _cheapest_first(q.subqueries, reader):
            found = matching_docs(leaf, reader, sub, found, tables)
            if not found:
                return set()
        return found if found is not None else set()
    if kind is query.Term:
        if tables is None:
            return posting_ids(leaf, reader, q.fieldname, q.text, among)
        table = term_weights(leaf, reader, q.fieldname, q.text, among)
        try:
            btext = q.text if isinstance(q.text, bytes) else leaf.schema[q.fieldname].to_bytes(q.text)
            tables[(q.fieldname, btext)] = table
        except (KeyError, ValueError):
            pass
        return set(table)
    if kind is query.Or or kind is WholeOr:
        return set().union(*(matching_docs(leaf, reader, sub, among, tables) for sub in q.subqueries))
    if kind is query.AndMaybe or kind is WholeAndMaybe:
        return matching_docs(leaf, reader, q.a, among, tables)
    if kind is query.AndNot:
        found = matching_docs(leaf, reader, q.a, among, tables)
        return found - matching_docs(leaf, reader, q.b, found, tables) if found else found
    if kind in (query.NumericRange, query.DateRange):  # dates: terms of several precisions
        return matching_docs(leaf, reader, q._compile_query(reader), among, tables)
    if kind is query.ConstantScoreQuery:
        return matching_docs(leaf, reader, q.child, among, tables)
    if kind is query.TermRange:  # indexed bytes: a date's terms are no text
        return set().union(*(posting_ids(leaf, reader, q.fieldname, btext, among) for btext in q._btexts(reader)))
    if kind is Expanded:  # a prefix: its expansions in the whole index, those this segment has
        return set().union(*(posting_ids(leaf, reader, q.fieldname, btext, among) for btext in q._btexts(reader)))
    if kind is Within:
        found = set(q.ids(leaf, among))
    elif kind is query.Phrase or kind is Near:
        scores = phrase_scores(leaf, reader, q, among)
        found = set(q.docs(leaf)) if scores is None else set(scores)
    elif q is query.NullQuery:
        return set()
    else:
        found = set(q.docs(leaf))  # prefixes and the like: Whoosh's own matching
    return found if among is None else found & among


def _cheapest_first(parts: list[query.Query], reader: Any) -> list[query.Query]:
    """The parts of an AND in the order they are best matched: each is then read only among
    the passages the ones before it left.

    The cost of a part is the postings it reads. A phrase, or a compound's parts written
    apart, also decodes positions, which costs several times reading ids; matched among the
    passages of a word that is in fewer than one in ``SOME_POSTINGS`` of them, only those
    postings' positions are decoded, so such a part goes after that word even when its own
    words are rarer. Among a commoner word's passages, nearly every block of positions is
    decoded whole all the same, and the part goes first as the rarer."""
    total = reader.doc_count_all()
    plain = [_estimate(sub, reader, 1) for sub in parts]
    priced = [_estimate(sub, reader, POSITIONS_COST) for sub in parts]
    narrowing = any(ids == cost and ids * SOME_POSTINGS < total for ids, cost in zip(plain, priced, strict=True))
    costs = priced if narrowing else plain
    return [parts[i] for i in sorted(range(len(parts)), key=costs.__getitem__)]


def _estimate(q: query.Query, reader: Any, positions_cost: float) -> float:
    """How much work matching ``q`` costs, in postings read, a posting's positions counting
    ``positions_cost`` times its id (a phrase of common words reads its word pairs' postings,
    no positions). A range of dates or numbers counts as matching them all, so it filters the
    others' matches: estimating it would list its terms in the segment's term table, in Python,
    as matching it does again."""
    inner = q
    while isinstance(inner, (Within, query.ConstantScoreQuery)):
        inner = inner.child
    kind = type(inner)
    if kind in _CONSTANT_SCORE:
        return reader.doc_count_all()
    if kind is query.Or or kind is WholeOr:
        return sum(_estimate(sub, reader, positions_cost) for sub in inner.subqueries)
    if kind is Near or (kind is query.Phrase and _pair_field(reader.schema, inner.fieldname, inner.words) is None):
        return inner.estimate_size(reader) * positions_cost
    return inner.estimate_size(reader)


def estimated_postings(q: query.Query, reader: Any) -> float:
    """About how many postings matching ``q`` reads (:func:`_estimate`, positions counted as ids)."""
    return _estimate(q, reader, 1)


def posting_ids(leaf: Searcher, reader: Any, fieldname: str, text: Any, among: set[int] | None = None) -> set[int]:
    """The documents of one term's postings (with ``among``: only those of these documents)."""
    if among is not None:
        return set(term_weights(leaf, reader, fieldname, text, among, weights=False))
    matcher = _term_matcher(leaf, reader, fieldname, text)
    if matcher is None:
        return set(query.Term(fieldname, text).docs(leaf))
    if not hasattr(matcher, "_read_ids"):  # no postings, or one kept in the term table
        return set(matcher.all_ids())
    ids: set[int] = set()
    while matcher.is_active():
        matcher._read_ids()
        ids.update(matcher._ids)
        matcher._next_block()
    return ids


def term_weights(
    leaf: Searcher,
    reader: Any,
    fieldname: str,
    text: Any,
    among: set[int] | None = None,
    weights: bool = True,
    ordered: list[int] | None = None,
) -> dict[int, float]:
    """The documents of one term's postings with the term's weight (frequency) in each (1.0
    without ``weights``), a block at a time. With ``among``, only those of these documents:
    a block whose id range holds none of them is skipped unread (a party's or a common
    word's postings are long, the passages with a rare word few); ``ordered``: ``among``
    sorted, when the caller has it."""
    matcher = _term_matcher(leaf, reader, fieldname, text)
    if matcher is None:
        matcher = query.Term(fieldname, text).matcher(leaf)
    found: dict[int, float] = {}
    if not hasattr(matcher, "_read_ids"):  # no postings, or one kept in the term table
        while matcher.is_active():
            if among is None or matcher.id() in among:
                found[matcher.id()] = matcher.weight()
            matcher.next()
        return found
    if among is not None and ordered is None:
        ordered = in_order(among)
    if hasattr(matcher, "weights_among"):  # kvsearch's blocks: one loop over their frames
        return matcher.weights_among(among, ordered, weights)
    for ids in _blocks_read(matcher, ordered):
        kept = ids if among is None else among.intersection(ids)
        if kept and weights:
            matcher._read_weights()
            if among is None:
                found.update(zip(ids, matcher._weights, strict=True))
            else:  # set and dict operations in C; Python only for the documents kept
                block = dict(zip(ids, matcher._weights, strict=True))
                found.update({doc: block[doc] for doc in kept})
        elif kept:
            found.update(dict.fromkeys(kept, 1.0))
    return found


def _term_matcher(leaf: Searcher, reader: Any, fieldname: str, text: Any) -> Any:
    """The raw posting matcher of a term (an empty one if the term is not indexed), or None
    where Whoosh's internals are not the ones this module reads."""
    try:
        btext = text if isinstance(text, bytes) else leaf.schema[fieldname].to_bytes(text)
        if (fieldname, btext) not in reader:
            return matching.NullMatcher()
        return reader._terms.matcher(fieldname, btext, leaf.schema[fieldname].format)
    except (KeyError, ValueError, AttributeError):
        return None


def phrase_scores(
    leaf: Searcher, reader: Any, q: query.Phrase, among: set[int] | None = None
) -> dict[int, float] | None:
    """The documents with the phrase's words at consecutive positions, as Whoosh's phrase
    matching finds them (ordered, each word one position after the last), with the score
    Whoosh gives them (the words' scores summed as its matcher tree sums them, times the
    phrase's boost). A phrase of common words is narrowed by the index's word pairs
    (:func:`_paired_phrase`); otherwise the rarest word's postings are read first, the others'
    only in the blocks that hold its documents; positions are decoded only where all the words are.
    A :class:`Near` is matched the same way, its two words at most its slop apart.
    With ``among``, only those of these documents. None for phrases this does not handle.
    """
    if (q.slop != 1 and type(q) is not Near) or q.fieldname not in leaf.schema:
        return None
    field = leaf.schema[q.fieldname]
    try:
        words = [field.to_bytes(word) for word in q.words]
    except ValueError:
        return {}
    if not words:
        return {}
    if type(q) is not Near:
        pairs = _pair_field(leaf.schema, q.fieldname, [word.decode("utf-8") for word in words])
        if pairs is not None:
            return _paired_phrase(leaf, reader, q, words, pairs)
    order = sorted(range(len(words)), key=lambda i: reader.doc_frequency(q.fieldname, words[i]))
    tables: WordPostings = {}
    candidates: set[int] | None = among
    for i in order:
        table = _postings(leaf, reader, q.fieldname, words[i], candidates)
        if table is None:
            return None
        tables[i] = table
        candidates = set(table)
        if not candidates:
            return {}  # a word this segment does not have, or no document with all of them
    assert candidates is not None
    if type(q) is Near:
        return _scored_from_tables(leaf, q, words, tables, _near(tables, candidates, q.slop))
    return _scored_from_tables(leaf, q, words, tables, _consecutive(tables, order, candidates))


def _consecutive(tables: WordPostings, order: list[int], candidates: set[int]) -> dict[int, set[int]]:
    """The candidates where the words stand at consecutive positions (the words' offsets in the
    phrase are the keys of ``tables``; ``order``: those offsets, the rarest word's first), with
    where the phrase may start in each."""
    first, *others = order
    table = tables[first]
    # Where the phrase may start in each passage, narrowed word by word; the last word only
    # has to meet one start (set operations over lazily decoded positions, in C).
    starts: dict[int, set[int]] = {doc: set(shifted(table[doc][1], first)) for doc in candidates}
    for step, offset in enumerate(others, 1):
        table = tables[offset]
        if step == len(others):
            met = (doc for doc, begins in starts.items() if not begins.isdisjoint(shifted(table[doc][1], offset)))
            starts = {doc: starts[doc] for doc in met}
            break
        narrowed = ((doc, begins.intersection(shifted(table[doc][1], offset))) for doc, begins in starts.items())
        starts = {doc: kept for doc, kept in narrowed if kept}
    return starts


def _pair_field(schema: Any, fieldname: str, words: list[str]) -> str | None:
    """The field holding the word pairs of ``fieldname`` when every word of the phrase is one
    of its common terms (so each adjacent pair of them is indexed there); else None."""
    name = pair_field_name(fieldname)
    field = schema[name] if len(words) > 1 and name in schema else None
    if type(field) is not CommonPairs or field.source != fieldname:
        return None
    return name if all(word in field.common for word in words) else None


def _paired_phrase(
    leaf: Searcher, reader: Any, q: query.Phrase, words: list[bytes], pairs: str
) -> dict[int, float] | None:
    """A phrase of common words: the passages that hold each of its adjacent pairs (rarest
    first), which for two words are its matches, scored from the words' weights the pair's
    postings hold; a longer phrase's positions are then compared in those passages only, and
    it is scored from the words' own postings, as any phrase."""
    texts = [word.decode("utf-8") for word in words]
    terms = {pair_term(a, b).encode("utf-8") for a, b in zip(texts, texts[1:], strict=False)}
    if len(words) == 2:
        weights = pair_weights(leaf, reader, pairs, terms.pop())
        return _scored(leaf, q, words, list(weights), weights[0].keys()) if weights[0] else {}
    candidates: set[int] | None = None
    for term in sorted(terms, key=lambda term: reader.doc_frequency(pairs, term)):
        candidates = posting_ids(leaf, reader, pairs, term, candidates)
        if not candidates:
            return {}
    assert candidates is not None
    tables: WordPostings = {}
    for i, word in enumerate(words):
        table = _postings(leaf, reader, q.fieldname, word, candidates)
        if table is None:
            return None
        tables[i] = table
    order = sorted(range(len(words)), key=lambda i: len(tables[i]))
    return _scored_from_tables(leaf, q, words, tables, _consecutive(tables, order, candidates))


def pair_weights(
    leaf: Searcher, reader: Any, fieldname: str, btext: bytes
) -> tuple[dict[int, float], dict[int, float]]:
    """The passages of a word pair's postings, each with the weights of the pair's first and
    of its second word there (:class:`~kvsearch.engine.schema.PairWeights`), a block at a time."""
    first: dict[int, float] = {}
    second: dict[int, float] = {}
    matcher = _term_matcher(leaf, reader, fieldname, btext)
    if matcher is None:
        matcher = query.Term(fieldname, btext).matcher(leaf)
    if not hasattr(matcher, "_read_value_floats"):  # no postings, or one kept in the term table
        while matcher.is_active():
            first[matcher.id()], second[matcher.id()] = PairWeights.VALUE.unpack(matcher.value())
            matcher.next()
        return first, second
    for ids in _blocks_read(matcher, None):
        floats = matcher._read_value_floats()
        first.update(zip(ids, floats[0::2], strict=True))
        second.update(zip(ids, floats[1::2], strict=True))
    return first, second


def _scored_from_tables(
    leaf: Searcher, q: query.Phrase, words: list[bytes], tables: WordPostings, docs: Any
) -> dict[int, float]:
    """The phrase's score in each of ``docs``, its words' weights read from ``tables``."""
    weights = [{doc: tables[i][doc][0] for doc in docs} for i in range(len(words))]
    return _scored(leaf, q, words, weights, docs)


def _scored(
    leaf: Searcher,
    q: query.Phrase,
    words: list[bytes],
    weights: list[dict[int, float]],
    docs: Any,
) -> dict[int, float]:
    """The phrase's score in each of ``docs``: its words' scores (from each word's weight in
    each document, ``weights``) summed as Whoosh's matcher tree sums them, times the phrase's boost."""
    per_word = []
    for word, weighs in zip(words, weights, strict=True):
        scorer = leaf.weighting.scorer(leaf, q.fieldname, word)
        scores = bm25_scores(leaf, scorer, q.fieldname, weighs, docs)
        if scores is None:  # another scorer: Whoosh's, a passage at a time
            scores = {doc: scorer.score(Posting(doc, weighs[doc])) for doc in docs}
        per_word.append(scores)
    total = _tree_sum_tables(per_word)
    return {doc: score * q.boost for doc, score in total.items()} if q.boost != 1.0 else total


def bm25_scores(
    leaf: Searcher, scorer: Any, fieldname: str, weights: dict[int, float], docs: Iterable[int]
) -> dict[int, float] | None:
    """Whoosh's BM25F score of a term in each of ``docs`` (its weight there from ``weights``),
    computed as its scorer computes it (``whoosh.scoring.bm25``, the same operations in the
    same order, so the same floats), with the field lengths from the segment's length bytes:
    a dictionary comprehension instead of four Python calls a passage. None for another
    scorer, or lengths not kept as bytes."""
    if type(scorer) is not BM25FScorer:
        return None
    perdoc: Any = getattr(leaf.reader(), "_perdoc", None)
    lengths = perdoc.length_bytes(fieldname) if hasattr(perdoc, "length_bytes") else None
    if lengths is None:
        return None
    idf, avgfl, b, k1 = scorer.idf, scorer.avgfl, scorer.B, scorer.K1
    table, k1_plus_1, one_minus_b = BYTE_LENGTHS, k1 + 1, 1 - b
    return {
        doc: idf * ((tf * k1_plus_1) / (tf + k1 * (one_minus_b + b * table[lengths[doc]] / avgfl)))
        for doc in docs
        for tf in (weights[doc],)
    }


def _positions_decoder(format: Any) -> Any:
    """Whoosh's decoding of a posting's value into its positions (a list): for its
    ``Positions`` format (pickled gaps), the gaps summed in C (Whoosh's decoder costs a
    Python call and loop per list). Only for blocks that do not keep their positions in bulk."""
    if type(format) is not formats.Positions:
        decode = format.decoder("positions")
        return lambda value: list(decode(value))

    def decoded(value: bytes) -> list[int]:
        # As Positions.decode_positions: the pickle's STOP is appended (bytes past it are ignored).
        return list(accumulate(loads(value[_INT_SIZE:] + b".")))

    return decoded


def shifted(positions: list[int], shift: int) -> Any:
    """``positions``, each minus ``shift`` (lazily, in C)."""
    return map((-shift).__add__, positions) if shift else positions


def _tree_sum_tables(tables: list[dict[int, float]]) -> dict[int, float]:
    """Per document, the sum of its values in ``tables`` (all with the same documents) in the
    order of Whoosh's matcher trees (``make_binary_tree``: each half summed, then the halves),
    so the floats are Whoosh's to the last bit."""
    if len(tables) == 1:
        return tables[0]
    half = len(tables) // 2
    a, b = _tree_sum_tables(tables[:half]), _tree_sum_tables(tables[half:])
    return {doc: score + b[doc] for doc, score in a.items()}


class Near(query.Phrase):
    """Two words at most ``slop`` positions apart, in either order or at the same position:
    the parts of a compound written apart ("opvang van asielzoekers" for asielopvang; the
    index holds a compound's parts at its own position). Scored as a phrase."""

    def matcher(self, searcher: Searcher, context: Any = None) -> Any:
        field = searcher.schema[self.fieldname] if self.fieldname in searcher.schema else None
        if field is None or len(self.words) != 2:
            return matching.NullMatcher()
        reader = searcher.reader()
        terms = []
        for word in self.words:
            try:
                btext = field.to_bytes(word)
            except ValueError:
                return matching.NullMatcher()
            if (self.fieldname, btext) not in reader:
                return matching.NullMatcher()
            terms.append(query.Term(self.fieldname, btext))
        near = SpanNear2(terms, slop=self.slop, ordered=False, mindist=0).matcher(searcher, context)
        return WrappingMatcher(near, boost=self.boost) if self.boost != 1.0 else near


def _near(tables: WordPostings, candidates: set[int], slop: int) -> list[int]:
    """The candidates where the two words' positions are at most ``slop`` apart."""
    reach = range(-slop, slop + 1)
    first, second = tables[0], tables[1]
    found = []
    for doc in candidates:
        a, b = first[doc][1], second[doc][1]
        if len(a) == 1 and len(b) == 1:  # most passages: each word once
            if -slop <= a[0] - b[0] <= slop:
                found.append(doc)
            continue
        around = {position + step for position in a for step in reach}
        if not around.isdisjoint(b):
            found.append(doc)
    return found


class Posting:
    """One posting, as a term scorer reads it from a matcher."""

    __slots__ = ("doc", "weighs")

    def __init__(self, doc: int, weighs: float) -> None:
        self.doc, self.weighs = doc, weighs

    def id(self) -> int:
        return self.doc

    def weight(self) -> float:
        return self.weighs


def _postings(
    leaf: Searcher, reader: Any, fieldname: str, btext: bytes, among: set[int] | None
) -> dict[int, tuple[float, list[int]]] | None:
    """A term's weight and positions in each document, or with ``among`` in each of these
    documents (blocks without any are not read); None where Whoosh's internals are not the
    ones this module reads. A block's positions are decoded at once where it keeps them in
    bulk (:mod:`kvsearch.engine.packed_postings`)."""
    matcher = _term_matcher(leaf, reader, fieldname, btext)
    if matcher is matching.NullMatcher:
        return {}
    if matcher is None or not hasattr(matcher, "_read_ids"):
        return None
    ordered = in_order(among) if among is not None else None
    if hasattr(matcher, "positions_among"):  # kvsearch's blocks: one loop over their frames
        in_bulk = matcher.positions_among(among, ordered)
        if in_bulk is not None:
            return in_bulk
    decode = None
    found: dict[int, tuple[float, list[int]]] = {}
    for ids in _blocks_read(matcher, ordered):
        kept = None if among is None else among.intersection(ids)
        if kept is None or kept:
            matcher._read_weights()
            weights = matcher._weights
            if kept is None:
                if getattr(matcher, "_read_positions", None) is not None and matcher._read_positions():
                    flat, bounds = matcher._positions
                    found.update(zip(ids, zip(weights, every_posting(flat, bounds), strict=True), strict=True))
                    continue
            elif getattr(matcher, "_positions_of", None) is not None:
                # Positions only for the documents kept, not for the whole block.
                docs = sorted(kept)
                wanted = [bisect.bisect_left(ids, doc) for doc in docs]
                positions = matcher._positions_of(wanted)
                if positions is not None:
                    found.update(zip(docs, zip(map(weights.__getitem__, wanted), positions, strict=True), strict=True))
                    continue
            decode = decode or _positions_decoder(leaf.schema[fieldname].format)
            matcher._read_values()
            values = matcher._values
            if kept is None:
                found.update(zip(ids, zip(weights, map(decode, values), strict=True), strict=True))
            else:  # Python only for the documents kept, not for the whole block
                where = dict(zip(ids, range(len(ids)), strict=True))
                found.update({doc: (weights[i], decode(values[i])) for doc in kept for i in (where[doc],)})
    return found


#: The last set :func:`in_order` sorted, with its sorted list.
_LAST_SORTED: tuple[set[int] | None, list[int]] = (None, [])


def in_order(among: set[int]) -> list[int]:
    """``among`` sorted. The parts of an OR under an AND (each word in each field, and a
    compound's parts) are all read among the same passages, so the last set's order is kept
    for the next reader (the set itself is kept too, so its identity cannot be reused)."""
    global _LAST_SORTED
    last = _LAST_SORTED
    if last[0] is among and len(last[1]) == len(among):
        return last[1]
    ordered = sorted(among)
    _LAST_SORTED = (among, ordered)
    return ordered


def _blocks_read(matcher: Any, ordered: list[int] | None) -> Iterator[Any]:
    """The document ids of each posting block of ``matcher``, read only when the block's id range
    holds one of ``ordered`` (all blocks when None): a block that cannot hold a wanted document is
    skipped unread. The caller may read the block's weights and values before asking for the next."""
    low = 0  # the lowest id the current block may hold
    while matcher.is_active():
        high = matcher.block_max_id()
        if ordered is None or bisect.bisect_right(ordered, high) > bisect.bisect_left(ordered, low):
            matcher._read_ids()
            yield matcher._ids
        low = high + 1
        matcher._next_block()


class Within(query.WrappingQuery):
    """``child``, matched only in the documents its posting sets say it matches.

    Whoosh then scores each of those documents with its own matchers (jumping to it), instead
    of finding them itself; a phrase comes scored already (:func:`phrase_scores`). The
    documents are computed once per segment and search.

    Matched as part of an AND, it is matched only among the passages its siblings left
    (a compound's parts written apart, or a phrase, next to a filter or a rare word): every
    passage the whole query matches is among them, so its matcher, which scores only such
    passages, is built from that narrower reading.
    """

    def __init__(self, child: query.Query) -> None:
        super().__init__(child)
        self._found: dict[int, tuple[Any, list[int], dict[int, float] | None, set[int] | None]] = {}

    def _rewrap(self, child: query.Query) -> query.Query:
        return Within(child)

    def ids(self, leaf: Searcher, among: set[int] | None = None) -> list[int]:
        """The segment's live matches, in order (with ``among``: at least those among these
        documents)."""
        return self._matches(leaf, among)[1]

    def _matches(
        self, leaf: Searcher, among: set[int] | None = None
    ) -> tuple[Any, list[int], dict[int, float] | None, set[int] | None]:
        reader = leaf.reader()
        known = self._found.get(id(reader))
        if known is None or known[0] is not reader or not _covers(known[3], among):
            phrase = type(self.child) in (query.Phrase, Near)
            scores = phrase_scores(leaf, reader, self.child, among) if phrase else None
            if scores is None:
                found = matching_docs(leaf, reader, self.child, among)
                ids = sorted(found - reader.deleted_docs_set if reader.has_deletions() else found)
                if type(self.child) in _CONSTANT_SCORE and self.child.constantscore:
                    # Whoosh gives a range its boost as the score of every match (and would
                    # first list all of them, anew for each search: a year is a large share of the index).
                    scores = dict.fromkeys(ids, self.child.boost)
            else:
                ids = sorted(set(scores) - reader.deleted_docs_set if reader.has_deletions() else scores)
            known = self._found[id(reader)] = (reader, ids, scores, among)
        return known

    def matcher(self, searcher: Searcher, context: Any = None) -> Any:
        reader = searcher.reader()
        known = self._found.get(id(reader))
        if (known is None or known[0] is not reader) and _DEFERRED.get():
            return DeferredMatcher(self, searcher)
        # A reading narrowed by the siblings of an AND holds every passage the query matches.
        _reader, ids, scores, _among = known if known is not None and known[0] is reader else self._matches(searcher)
        if not ids:
            return matching.NullMatcher()
        if scores is not None:
            return ScoredMatcher(ids, scores)
        return OnlyMatcher(self.child.matcher(searcher, context), ids)


_DEFERRED: ContextVar[bool] = ContextVar("deferred", default=False)


def deferred() -> AbstractContextManager[None]:
    """A :class:`Within` node not matched yet in a segment gives a :class:`DeferredMatcher`
    meanwhile, for a walk of the matcher tree that matches it among the passages its
    siblings leave (:mod:`kvsearch.engine.bulk_scores`)."""
    return switched_on(_DEFERRED)


class NotDeferred(Exception):
    """A matcher tree with a :class:`DeferredMatcher` tried to move it."""


class DeferredMatcher(matching.Matcher):
    """A :class:`Within` node's place in a matcher tree, matched only when :meth:`matches` is
    asked, among the passages given then. Never moved (nothing but that walk reads it)."""

    def __init__(self, within: Within, leaf: Searcher) -> None:
        self.within, self.leaf = within, leaf

    def is_active(self) -> bool:
        return True  # for all the tree knows: a parent must not leave it out

    def id(self) -> int:  # a parent that reads ahead when it is built (Whoosh's ArrayUnionMatcher)
        raise NotDeferred("a matcher tree that moves while it is built")

    next = skip_to = all_ids = score = weight = id

    def supports_block_quality(self) -> bool:
        return False

    def term_matchers(self) -> Iterator[Any]:
        return iter(())  # as a phrase's scored matcher: no terms of its own

    def estimate(self, positions_cost: float) -> float:
        """The work matching it costs, in postings read, a posting's positions counting
        ``positions_cost`` times its id (:func:`_estimate`)."""
        return _estimate(self.within, self.leaf.reader(), positions_cost)

    def matches(self, among: set[int] | None) -> tuple[list[int], dict[int, float] | None]:
        """The segment's live matches in order (with ``among``: at least those among these
        documents), and their scores where the node knows them (a phrase, a date range)."""
        _reader, ids, scores, _among = self.within._matches(self.leaf, among)
        return ids, scores


class _Listed:
    """What a matcher over a sorted list of document numbers ``_all`` (at ``_i``) answers."""

    _all: list[int]
    _i: int

    def replace(self, minquality: float = 0) -> Any:
        return self if self.is_active() else matching.NullMatcher()

    def is_active(self) -> bool:
        return self._i < len(self._all)

    def id(self) -> int:
        return self._all[self._i]

    def all_ids(self) -> Any:
        return iter(self._all[self._i :])

    def supports_block_quality(self) -> bool:
        return False


class ScoredMatcher(_Listed, matching.Matcher):
    """Documents with their scores known beforehand."""

    def __init__(self, ids: list[int], scores: dict[int, float], position: int = 0) -> None:
        self._all = ids
        self._scores = scores
        self._i = position

    def copy(self) -> ScoredMatcher:
        return ScoredMatcher(self._all, self._scores, self._i)

    def next(self) -> bool:
        self._i += 1
        return False

    def skip_to(self, id: int) -> bool:
        self._i = bisect.bisect_left(self._all, id, self._i)
        return False

    def weight(self) -> float:
        return 1.0

    def score(self) -> float:
        return self._scores[self._all[self._i]]


class OnlyMatcher(_Listed, WrappingMatcher):
    """Visits only ``ids`` (all of which ``child`` matches), scored by ``child``."""

    def __init__(self, child: Any, ids: list[int], position: int = 0) -> None:
        super().__init__(child)
        self._all = ids
        self._i = position
        self._align()

    def _align(self) -> None:
        if self._i < len(self._all) and self.child.is_active() and self.child.id() < self._all[self._i]:
            self.child.skip_to(self._all[self._i])

    def copy(self) -> OnlyMatcher:
        return OnlyMatcher(self.child.copy(), self._all, self._i)

    def next(self) -> bool:
        self._i += 1
        self._align()
        return False

    def skip_to(self, id: int) -> bool:
        self._i = bisect.bisect_left(self._all, id, self._i)
        self._align()
        return False

    def score(self) -> float:
        return float(self.child.score())


def _covers(done: set[int] | None, wanted: set[int] | None) -> bool:
    """Whether a reading among ``done`` (None: all passages) holds every match among ``wanted``."""
    return done is None or (wanted is not None and wanted <= done)


def within(q: query.Query) -> query.Query:
    """``q`` with its phrases and date ranges (and ``q`` itself) matched from posting sets
    (:class:`Within`).

    Nodes are copied, not rebuilt with ``apply``, which would drop an ``Or``'s coordination
    bonus (``scale``)."""
    return Within(prematched(q))


_CONSTANT_SCORE = (query.NumericRange, query.DateRange)


def prematched(q: query.Query) -> query.Query:
    """``q`` with its phrases and date ranges matched from posting sets (:class:`Within`)."""
    if type(q) in (query.Phrase, Near) or type(q) in _CONSTANT_SCORE:
        return Within(q)
    if isinstance(q, query.CompoundQuery):
        return with_children(q, prematched)
    return q
