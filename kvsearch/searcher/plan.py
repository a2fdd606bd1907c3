"""A parsed query turned into the query tree the engine runs: the query language's text with
compounds also matched as their parts, a pasted question as a bag of its telling words, and
the filters."""

from __future__ import annotations

import math
import re
from collections import Counter
from datetime import datetime
from datetime import time as day_time
from functools import lru_cache

from kvsearch import analysis
from kvsearch.analysis import synonyms, vocabulary
from kvsearch.engine import queries
from kvsearch.engine.queries import Query
from kvsearch.engine.reader import SearchableIndex
from kvsearch.errors import QuerySyntaxError
from kvsearch.query import Filter, ParsedQuery, last_day_of_month
from kvsearch.searcher.fields import FIELD_WEIGHTS, TEXT_FIELDS

#: Natural-language queries: bonus for passages that match more of the query's words.
COORD_SCALE = 0.9
#: Natural-language queries drop words found in more than this share of the passages (de, het,
#: u, vraag …): they only add noise to a bag of words.
COMMON_SHARE = 0.3
#: … and Dutch function words, which say nothing about its topic (analysed like the query, so
#: they match its terms in every analyzer chain).
NATURAL_STOP_WORDS: frozenset[str] = analysis.FUNCTION_WORDS
#: … and use at most this many of their words, the rarest ones; a passage must have one of the
#: NATURAL_REQUIRED_TERMS rarest (fewer loses relevance).
NATURAL_MAX_TERMS = 30
NATURAL_REQUIRED_TERMS = 6
#: … and at least this many of the rarest are required whatever their postings: one rare word
#: alone (a name, a typo, a word the question uses in passing) would decide which passages
#: are candidates, and the words that make the question specific would only add to scores.
NATURAL_MIN_REQUIRED = 2
#: … and stop adding required words once their passages reach this many, and any words once
#: all their passages reach NATURAL_POSTINGS (``_budgeted``): at a million passages, the cost of
#: a pasted question stops growing with the index while its source passage stays in the top 10.
NATURAL_CANDIDATES = 5_000
NATURAL_POSTINGS = 150_000
#: A compound typed whole also finds its parts written apart (``asielopvang``: "opvang van
#: asielzoekers"), when they stand at most this many words from each other …
COMPOUND_PARTS_DISTANCE = 3
#: … and such a passage weighs less than one with the compound itself: the parts of a
#: compound also occur together in passages about something else.
COMPOUND_PARTS_WEIGHT = 0.5
#: A query word also finds its near-synonyms (:mod:`kvsearch.analysis.synonyms`), weighing
#: less than the word typed: the passage that uses the asker's own word comes first.
SYNONYM_WEIGHT = 0.5
#: A pasted question's words (and those of a typed query relaxed to any of its words) weigh
#: most in a passage's own question: an asker's question is worded like the questions it
#: resembles, while the subject line is shared by all passages of a document and an answer
#: speaks of the question's subject in the government's terms.
NATURAL_FIELD_WEIGHTS = {"title": 1.0, "question": 1.3, "answer": 1.0}


def build_query(parsed: ParsedQuery, index: SearchableIndex, *, any_word: bool) -> Query:
    """The tree for ``parsed``: all its words must match, or with ``any_word`` any of them.

    Raises:
        QuerySyntaxError: the text cannot be read, has no searchable words, or only excludes.
    """
    parts: list[Query] = []
    natural = _natural_query(parsed, index) if any_word and (parsed.natural or parsed.is_plain) else None
    if natural is not None:
        parts.append(natural)
    elif parsed.natural:
        return queries.NOTHING  # none of its words is in the index
    elif parsed.text:
        parts.append(_text_query(parsed, index, any_word))
    parts.extend(_filter_query(f) for f in parsed.filters)
    combined = queries.all_of(parts)
    if not queries.has_positive(combined):
        raise QuerySyntaxError(
            f"query {parsed.text!r} finds passages only by words they lack (NOT, -): "
            "add a word they must have, or a filter"
        )
    return queries.for_the_whole_index(combined, index)


def _text_query(parsed: ParsedQuery, index: SearchableIndex, any_word: bool) -> Query:
    try:
        text_query = queries.parse(parsed.text, index, fields=TEXT_FIELDS, weights=FIELD_WEIGHTS, any_word=any_word)
    except queries.UnreadableQuery:
        raise QuerySyntaxError(
            f"cannot read query {parsed.text!r}: check its operators (AND, OR, NOT, -), quotes and parentheses"
        ) from None
    if queries.is_nothing(text_query):
        raise QuerySyntaxError(f"no searchable words in query {parsed.text!r}")
    # Synonyms only outside quotes and exclusions: a phrase and an excluded word are taken as typed.
    text_query = queries.with_alternatives(
        text_query,
        _synonyms_outside_quotes(parsed.text, index.chain),
        fields=TEXT_FIELDS,
        weight=SYNONYM_WEIGHT,
    )
    # springt … bij also finds bijspringen, bijgesprongen, bij te springen (index terms).
    text_query = queries.with_alternatives(
        text_query, _split_verbs_outside_quotes(parsed.text, index.chain), fields=TEXT_FIELDS, weight=1.0
    )
    if index.chain is not analysis.SHIPPED:  # the baselines for evaluation split no compounds
        return text_query
    return queries.with_compound_parts(
        text_query,
        _compound_words(parsed.text),
        fields=TEXT_FIELDS,
        distance=COMPOUND_PARTS_DISTANCE,
        weight=COMPOUND_PARTS_WEIGHT,
    )


def _compound_words(text: str) -> dict[str, tuple[str, ...]]:
    """Query term -> the terms of its parts, for the compounds and hyphenated words of
    ``text`` outside quotes (a phrase is searched as typed)."""
    found = {}
    for part in _unquoted(text):
        for raw in analysis.words(part):
            parts = analysis.query_parts(raw)
            terms = analysis.word_terms(raw, query=True)
            if parts and terms:
                found[terms[0]] = parts
    return found


def _unquoted(text: str) -> list[str]:
    """The parts of a query's text outside quotes: a quoted phrase is searched as typed."""
    return re.split(r'"[^"]*"', text)


def _synonyms_outside_quotes(text: str, chain: analysis.AnalyzerChain) -> dict[str, tuple[str, ...]]:
    found = {}
    for part in _unquoted(text):
        for term in chain.terms(part, query=True):
            others = synonyms.of_term(chain, term)
            if others:
                found[term] = others
    return found


def _split_verbs_outside_quotes(text: str, chain: analysis.AnalyzerChain) -> dict[str, tuple[str, ...]]:
    """Query term -> the terms of the separable verbs written apart that its word is part of,
    outside quotes."""
    found: dict[str, tuple[str, ...]] = {}
    for part in _unquoted(text):
        raw_words = chain.word_pattern.findall(part.replace("_", " "))
        for number, verbs in chain.split_verb_words(part).items():
            term = chain.word_terms(raw_words[number], True)[:1]
            if term:
                found[term[0]] = tuple(dict.fromkeys([*found.get(term[0], ()), *verbs]))
    return found


def _natural_query(parsed: ParsedQuery, index: SearchableIndex) -> Query | None:
    """A bag of words for a pasted question: any word may match, more matches rank higher.

    Words that tell passages apart are kept: Dutch function words and words in more than
    ``COMMON_SHARE`` of the passages are dropped (when that leaves nothing, all words count).
    None when the text has no searchable words (the parser then reports it).
    """
    total = max(1, index.doc_count())
    chain = index.chain
    stop = _stop_terms(chain, NATURAL_STOP_WORDS)
    counts: Counter[str] = Counter()
    verbs: Counter[str] = Counter()
    position = -1
    for token in chain.analyze(parsed.text, query=True):
        # A query word gives one term; a second at its position is a separable verb's written
        # apart (``Trekt … in``: intrekken).
        (verbs if token.position == position else counts)[token.text] += 1
        position = token.position
    for term, parts in _lacking_hyphenated(parsed.text, index).items():
        # A hyphenated word no passage has (``MIRT-onderzoek``) is searched as its parts: the
        # asker's coinage for the matter the passages name otherwise (``MIRT-verkenning``).
        tf = counts.pop(term, 1)
        for part in parts:
            counts[part] += tf
    kept: list[tuple[int, str, int]] = []
    known: list[tuple[int, str, int]] = []
    for term, tf in counts.items():
        # A word the index lacks still counts when its near-synonyms are there: the asker's
        # own word for what the passages call otherwise.
        df = _known_frequency(index, chain, term)
        if df == 0:
            continue
        known.append((df, term, tf))
        if term not in stop and df <= total * COMMON_SHARE:
            kept.append((df, term, tf))
    required, optional = _budgeted(sorted(kept or known))
    if not required:
        return None
    # A separable verb written apart adds to a passage's score, within the same budget, but is
    # never one of the required words: a verb seldom makes a question specific, and a rare one
    # there would push out a word that does.
    frequency = {term: df for df, term, _tf in known}
    spent = sum(frequency[term] for term, _tf in required + optional)
    for term, tf in verbs.items():
        df = 0 if term in counts else _known_frequency(index, chain, term)
        if 0 < df <= total * COMMON_SHARE and spent + df <= NATURAL_POSTINGS:
            if len(required) + len(optional) >= NATURAL_MAX_TERMS:
                break
            optional.append((term, tf))
            spent += df

    def any_of(terms: list[tuple[str, int]]) -> Query:
        return queries.any_of(
            [
                queries.any_of(
                    [
                        queries.term(
                            field, alternative, boost=NATURAL_FIELD_WEIGHTS[field] * (1 + math.log(tf)) * weight
                        )
                        for alternative, weight in _with_synonyms(chain, term)
                        for field in TEXT_FIELDS
                    ]
                )
                for term, tf in terms
            ],
            scale=COORD_SCALE,
        )

    # Only passages with one of the rarest words are candidates; the other words add to their
    # score: matching every passage with any of 30 words would score most of the index.
    if not optional:
        return any_of(required)
    return queries.and_maybe(any_of(required), any_of(optional))


def _known_frequency(index: SearchableIndex, chain: analysis.AnalyzerChain, term: str) -> int:
    """The most passages ``term`` or one of its near-synonyms is in, in any text field."""
    return max(
        index.doc_frequency(field, alternative)
        for alternative, _weight in _with_synonyms(chain, term)
        for field in TEXT_FIELDS
    )


def _lacking_hyphenated(text: str, index: SearchableIndex) -> dict[str, tuple[str, ...]]:
    """Query term -> the terms of its parts, for the hyphenated words of ``text`` that no
    passage has (nor a near-synonym of them).

    Only hyphenated words: their parts are the writer's own; a compound's parts are the
    splitter's guess, and searched in its place they matched other documents' words."""
    if index.chain is not analysis.SHIPPED:  # the baselines for evaluation split no compounds
        return {}
    found = {}
    for raw in analysis.words(text):
        if "-" not in raw.strip("-"):
            continue
        terms = analysis.word_terms(raw, query=True)
        if not terms or terms[0] in found or _known_frequency(index, index.chain, terms[0]):
            continue
        parts = analysis.query_parts(raw)
        if parts:
            found[terms[0]] = parts
    return found


def _with_synonyms(chain: analysis.AnalyzerChain, term: str) -> list[tuple[str, float]]:
    """A query term and its near-synonyms' terms, with the weight each is searched with."""
    return [(term, 1.0)] + [(other, SYNONYM_WEIGHT) for other in synonyms.of_term(chain, term)]


def _budgeted(ranked: list[tuple[int, str, int]]) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """The words a pasted question is searched with, (document frequency, term, count) rarest
    first: the required ones (a passage must have one) and the optional ones (they add to its
    score).

    The rarest words say most about the topic, and the cost of a search is the postings it
    reads, in pure Python. Words are taken rarest first, as required words until their
    postings reach ``NATURAL_CANDIDATES`` (at most ``NATURAL_REQUIRED_TERMS`` words; the last
    may overshoot, and there are always ``NATURAL_MIN_REQUIRED``), then as optional words
    while all postings stay within ``NATURAL_POSTINGS`` (at most ``NATURAL_MAX_TERMS`` words
    in all). At a million
    passages the 30 words of a pasted question read millions of postings; the budget keeps
    its cost that of a smaller index."""
    required: list[tuple[str, int]] = []
    optional: list[tuple[str, int]] = []
    spent = 0
    for df, term, tf in ranked[:NATURAL_MAX_TERMS]:
        if len(required) < NATURAL_MIN_REQUIRED or (
            len(required) < NATURAL_REQUIRED_TERMS and spent < NATURAL_CANDIDATES and not optional
        ):
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


#: A filter on more whole years or months than this stays a range of dates (the OR of their
#: terms stays short).
MOST_TERMS = 40


def _filter_query(item: Filter) -> Query:
    if item.kind == "date":
        calendar = _calendar_terms(item)
        if calendar:
            terms = [queries.term(fieldname, text) for fieldname, text in calendar]
            return terms[0] if len(terms) == 1 else queries.any_of(terms)
        start = datetime.combine(item.start, day_time.min) if item.start else None
        end = datetime.combine(item.end, day_time.max) if item.end else None
        return queries.date_range("date", start, end)
    if item.kind == "session":
        return queries.term("year", item.value)
    if item.kind == "number":
        return queries.term("number", item.value)
    if item.kind == "status":
        return queries.term("status", item.value)
    if item.kind == "kind":
        return queries.term("kind", item.value)
    if item.kind == "doc_id":  # the questions' own id also finds the answer kept in their place
        return queries.any_of([queries.term("doc_id", item.value), queries.term("question_id", item.value)])
    field = {"party": "parties", "asker": "askers", "minister": "minister", "ministry": "ministry"}[item.kind]
    return queries.term(field, vocabulary.key(item.value))


def _calendar_terms(item: Filter) -> list[tuple[str, str]]:
    """The calendar years a date filter covers when it covers whole years (``jaar:2024``,
    ``datum:2019..2021``), else its months when it covers whole months (``datum:2024-03``,
    ``datum:2023-11..2024-02``), as index terms; none when it starts or ends within a month."""
    start, end = item.start, item.end
    if start is None or end is None or start.day != 1 or end != last_day_of_month(end.year, end.month):
        return []
    if (start.month, end.month) == (1, 12) and end.year - start.year < MOST_TERMS:
        return [("calendar_year", str(year)) for year in range(start.year, end.year + 1)]
    first, last = start.year * 12 + start.month - 1, end.year * 12 + end.month - 1
    if last - first >= MOST_TERMS:
        return []
    return [("calendar_month", f"{month // 12:04d}-{month % 12 + 1:02d}") for month in range(first, last + 1)]
