"""The analyzer chain: text → terms, per word.

1. **Words** (:mod:`.tokens`): one regex, offsets into the caller's string.
2. **Fold** (:mod:`.folding`): NFKD, casefold, no accents.
3. **Possessive/plural 's**: a final ``'s`` is dropped (``risico's`` → ``risico``).
4. **Hyphens**: a hyphenated word yields its concatenation and its parts, all at the word's
   position (``staten-generaal`` → statengeneraal, staten, generaal). When the concatenation is
   a lexicon word and a part is not, the hyphen is a line-break artefact and only the repaired
   word is kept (``beant-woording`` → beantwoording). At query time only the concatenation is
   used, which the index always holds.
5. **De-gluing and decompounding** (:mod:`.compounds`, index time only). A person's name
   (:mod:`.people`: ``Soepboer``) is not split into the words it contains. Letters glued to
   digits (``januari2020``) yield the runs.
6. **No stop-word removal**: positions of every word are kept so phrase queries such as
   "uw Kamer" or "niet uitgevoerd" work.
7. **Stem** (:mod:`.stemming`), after taking inflected forms to their base form
   (:mod:`.morphology`: ``afgevoerd`` → afvoeren, ``kortere`` → kort, ``centrales`` →
   centrale, ``Oekraïense`` → oekraine).
8. **Separable verbs written apart** (:mod:`.separable`, index and query time): ``trekt … in``
   and ``in te trekken`` also give ``intrekken``'s term, at the verb's position. The only step
   that looks beyond one word.

Every derived word (hyphen part, compound part, de-glued part) is emitted *at the position of the
whole word*, with the whole word's offsets (Lucene decompounder style); the whole word always
comes first. Phrase queries on the original text therefore keep working, and ``uitslag`` finds
``verkiezingsuitslag``. Query analysis (``query=True``) does the same normalisation, folding and
stemming but emits one term per word: the index already holds the parts.
Results are cached per distinct raw word, so indexing cost is driven by the vocabulary size
(step 8 looks at words only where a particle stands before ``te`` or may close a clause).

Bump ``ANALYZER_ID`` whenever the terms produced for some input change: an index built with one
analyzer must not be queried with another.
"""

from __future__ import annotations

import bisect
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import cache, lru_cache

from kvsearch.analysis.compounds import LINKS, PROTECTED, decompound, deglue, expand
from kvsearch.analysis.folding import fold
from kvsearch.analysis.lexicon import lexicon_lookup, lexicon_name
from kvsearch.analysis.morphology import particle_verb_of
from kvsearch.analysis.people import is_person
from kvsearch.analysis.separable import SplitVerb, split_verbs
from kvsearch.analysis.stemming import IRREGULAR_PLURALS, STEMMER_NAME, stem
from kvsearch.analysis.tokens import ALNUM_RUNS_RE, HYPHENS_RE, WORD_RE, Token

__all__ = [
    "ANALYZER_ID",
    "CHAIN_KEY",
    "INDEX_TERMS_LIMIT",
    "SHIPPED",
    "SHIPPED_ID",
    "AnalyzerChain",
    "analyze",
    "analyzer_info",
    "building_chain",
    "building_with",
    "chain_named",
    "index_positions",
    "index_terms_cache",
    "keep_index_terms",
    "query_parts",
    "recorded_chain",
    "register_chain",
    "terms",
    "use_known_index_terms",
    "word_terms",
]

ANALYZER_ID = "nl-12"


def _strip_possessive(word: str) -> str:
    if word.endswith("'s") and len(word) > 2:
        word = word[:-2]
    elif word.endswith("'ers") and len(word) > 4:
        # A person named after an abbreviation: zzp'ers is the plural of zzp'er.
        word = word[:-1]
    return word


def _terms_of(raw: str, query: bool, stem: Callable[[str], str], split: bool) -> tuple[str, ...]:
    """All terms for one raw token; the first is the whole word. Empty if nothing is left.

    ``stem`` maps a folded word to its term; ``split`` adds de-glued and compound parts
    (index time only).
    """
    word = fold(raw)
    if not word.isalnum():
        # Compatibility forms can expand to spaces or symbols (¼ → 1⁄4, ﷺ → several words).
        word = "".join(c for c in word if c.isalnum() or c in "'-")
    if "'" in word:
        word = _strip_possessive(word).strip("'")
    if not word:
        return ()
    out: list[str] = []
    if "-" in word:
        parts = [_strip_possessive(p).strip("'") for p in HYPHENS_RE.split(word)]
        parts = [p for p in parts if p]
        if not parts:
            return ()
        whole = "".join(parts)
        # NGO-schepen: the whole word's term is its singular's (NGO-schip); the parts below
        # keep the plural, which the override map already joins to its singular. Not for a
        # word broken at a line end (ge-leden), whose whole is a lexicon word.
        singular_head = IRREGULAR_PLURALS.get(parts[-1]) if whole not in lexicon_lookup() else None
        out.append(stem("".join(parts[:-1]) + singular_head) if singular_head else stem(whole))
        if not query:
            lexicon = lexicon_lookup()
            # A hyphenation artefact (beant-woording, organisa-ties): the concatenation is a
            # word and some part is not. Then the parts are junk and only the whole is kept;
            # otherwise (staten-generaal, navo-top) the parts are indexed too.
            # A lower-case concatenation that is a compound of lexicon words counts too
            # (netuitbrei-ding, paardenpaspoor-ten); capitalised ones may be names (Gräper-van).
            known = whole in lexicon or (raw[:1].islower() and bool(decompound(whole, lexicon)))
            artefact = known and any(p not in lexicon for p in parts)
            pieces = [whole] if artefact else [whole, *parts]
            names = {fold(p).strip("'") for p in HYPHENS_RE.split(raw) if is_person(p, fold(p).strip("'"))}
            for piece in pieces:
                if piece is not whole:
                    out.append(stem(piece))
                if split:
                    name = piece in names or (piece is whole and bool(names))  # Gräper-van: not grap + ervan
                    out.extend(stem(x) for x in expand(piece, name))
    else:
        out.append(stem(word))
        if not query:
            if word.isalpha():
                if split:
                    out.extend(stem(x) for x in expand(word, is_person(raw, word)))
            elif not word.isdigit() and any(c.isdigit() for c in word):
                # Letters glued to digits (januari2020): index the runs as well.
                runs = ALNUM_RUNS_RE.findall(word)
                if len(runs) > 1:
                    out.extend(stem(r) for r in runs)
    # Keep order, drop duplicates (a part may stem like the whole word).
    return tuple(dict.fromkeys(t for t in out if t))


#: Most raw words whose index terms a process keeps (``index_positions``); then it starts over.
INDEX_TERMS_LIMIT = 200_000


class _IndexTermCache(dict[str, tuple[str, ...]]):
    """The shipped chain's index terms (``_terms_of``) of each raw word a process has indexed.

    A dict, so that a hit is one lookup in C. A miss first asks ``known`` (set by a build that
    has the previous build's answers, :func:`use_known_index_terms`), then analyses the word:
    an incremental build then analyses only the words the corpus did not have before.
    """

    known: Callable[[str], tuple[str, ...] | None] | None = None
    keep: Callable[[Iterable[tuple[str, tuple[str, ...]]]], None] | None = None

    def __missing__(self, raw: str) -> tuple[str, ...]:
        terms = self.known(raw) if self.known is not None else None
        if terms is None:
            terms = _terms_of(raw, False, stem, True)
        if len(self) >= INDEX_TERMS_LIMIT:
            if self.keep is not None:
                self.keep(self.items())
            self.clear()
        self[raw] = terms
        return terms


_INDEX_TERMS = _IndexTermCache()


def index_terms_cache() -> dict[str, tuple[str, ...]]:
    """The index terms this process has of each raw word (for a build to keep them)."""
    return _INDEX_TERMS


def keep_index_terms(keep: Callable[[Iterable[tuple[str, tuple[str, ...]]]], None] | None) -> None:
    """Hand the raw words analysed, with their index terms, to ``keep`` whenever this process
    has as many as it keeps and starts over (None: stop). A build records every word it
    analysed so: the words since the last start are in :func:`index_terms_cache`."""
    _INDEX_TERMS.keep = keep


def use_known_index_terms(known: Callable[[str], tuple[str, ...] | None] | None) -> None:
    """Take a raw word's index terms from ``known`` where it has them (None: stop). Only for
    answers of this same analyzer: a build with the previous build's records, whose versions
    match."""
    _INDEX_TERMS.known = known


def word_terms(raw: str, *, query: bool) -> tuple[str, ...]:
    """The shipped chain's terms of one raw word (cached): what :func:`analyze` gives it."""
    return SHIPPED.word_terms(raw, query)


def query_parts(raw: str) -> tuple[str, ...]:
    """The terms of the words a query word is made of, as the index splits it, or ().

    A compound gives its modifier and head (``asielopvang`` → asiel, opvang;
    ``kinderopvangtoeslag`` → kinderopvang, toeslag: the index holds each part's own parts
    too); a hyphenated word its parts (``Nagorno-Karabach``). A query for the whole word
    can then also find the parts written apart, as a query for the parts finds the whole.
    """
    word = _strip_possessive(fold(raw)).strip("'")
    if "-" in word:
        parts = [p for p in HYPHENS_RE.split(word) if p]
        return tuple(stem(p) for p in parts) if len(parts) > 1 else ()
    lexicon = lexicon_lookup()
    if not word.isalpha() or word in PROTECTED or is_person(raw, word) or not lexicon:
        return ()
    if len(deglue(word, lexicon)) == 2:
        return ()
    parts = decompound(word, lexicon)
    if not parts:
        return ()
    modifier = parts[0]
    linked = {modifier, *(modifier + link for link in LINKS)}
    for head in parts[1:]:
        if word.endswith(head) and word[: -len(head)] in linked:
            return (stem(modifier), stem(head))
    return ()


def _version(dist: str) -> str:
    """An installed distribution's version, from its ``.dist-info`` folder's name.

    Every search checks these (the index records them); ``importlib.metadata`` would cost
    more than the search (it imports ``email`` to read one line), a folder listing does not.
    """
    version = _installed_versions().get(dist.lower().replace("-", "_"))
    if version:
        return version
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return ""


@cache
def _installed_versions() -> dict[str, str]:
    """Project (lowercase, ``_`` for ``-``) -> version, of the ``.dist-info`` folders on
    ``sys.path``, the first found for a project, as imports find it: one listing of each
    folder for every version asked."""
    found: dict[str, str] = {}
    for folder in sys.path:
        try:
            names = os.listdir(folder or ".")
        except OSError:
            continue
        for name in names:
            stem, dot, kind = name.rpartition(".")
            if kind == "dist-info" and dot:
                project, _, version = stem.partition("-")
                if version:
                    found.setdefault(project.lower().replace("-", "_"), version)
    return found


#: The key of an index's ``versions`` record that names a chain other than the shipped one. The
#: shipped chain's record has no such key, so the indexes it built keep their record.
CHAIN_KEY = "analyzer_variant"


class AnalyzerChain:
    """One way of turning text into terms.

    The product uses :data:`SHIPPED` only. Evaluation code defines baselines (no stemming, no
    compound splitting …) as chains of its own and registers them with :func:`register_chain`
    or :func:`building_with`; an index records the id of the chain that built it, and a search
    analyses its queries with that chain.

    Args:
        chain_id: the name recorded in the index.
        stem: maps a folded word to its term.
        stemmer: the stemming algorithm's name, for the index's record.
        split: add de-glued and compound parts at index time.
        separable: add the term of a separable verb written apart (``trekt … in``).
        word_pattern: what a word is; its matches are the raw words.
        description: one line for people comparing chains.
    """

    def __init__(
        self,
        chain_id: str,
        *,
        stem: Callable[[str], str],
        stemmer: str,
        split: bool = True,
        separable: bool = True,
        word_pattern: re.Pattern[str] = WORD_RE,
        description: str = "",
    ) -> None:
        self.id = chain_id
        self.stem = stem
        self.stemmer = stemmer
        self.split = split
        self.separable = separable
        self.word_pattern = word_pattern
        self.description = description
        #: The terms of one raw word, cached: a corpus repeats its words.
        self.word_terms: Callable[[str, bool], tuple[str, ...]] = lru_cache(maxsize=200_000)(self.raw_word_terms)
        self._info: dict[str, str] | None = None

    def __repr__(self) -> str:
        return f"AnalyzerChain({self.id!r})"

    def raw_word_terms(self, raw: str, query: bool) -> tuple[str, ...]:
        """All terms of one raw word, the whole word first (uncached; see ``_terms_of``)."""
        return _terms_of(raw, query, self.stem, self.split)

    def index_terms(self, raw: str) -> tuple[str, ...]:
        """The index terms of one raw word."""
        return self.word_terms(raw, False)

    def analyze(self, text: str, *, query: bool = False) -> list[Token]:
        """Analyse ``text`` into index terms (``query=False``) or query terms (``query=True``).

        Args:
            text: any string; control characters and unpaired surrogates are treated as separators.
            query: use query-time analysis: the same folding and stemming, but a word yields one
                term only (no hyphen parts, compound parts or de-glued parts), since the index
                already holds those.

        Returns:
            Tokens in text order. Tokens derived from one word share its ``position``; the first
            one is the whole word. Never raises for a ``str``.
        """
        word_terms = self.word_terms
        tokens: list[Token] = []
        pos = 0
        text = text.replace("_", " ")
        verbs = self._split_verbs(text)
        for number, m in enumerate(self.word_pattern.finditer(text)):
            found = word_terms(m.group(), query)
            if not found:
                continue
            start, end = m.span()
            for t in found:
                tokens.append(Token(t, pos, start, end))
            for verb in verbs.get(number, ()):
                term = word_terms(verb, query)[0]
                if term not in found:
                    tokens.append(Token(term, pos, start, end))
            pos += 1
        return tokens

    def _splits(self, text: str) -> list[SplitVerb]:
        """The separable verbs written apart in ``text`` (step 8; none for a chain without it)."""
        return split_verbs(text.replace("_", " "), self.word_pattern) if self.separable else []

    def split_verb_terms(self, text: str) -> set[str]:
        """The index terms of the separable verbs written apart in ``text`` (step 8)."""
        return {self.index_terms(split.infinitive)[0] for split in self._splits(text)}

    def split_verb_spans(self, text: str) -> list[tuple[str, tuple[int, int], tuple[int, int]]]:
        """The separable verbs written apart in ``text``: each one's index term, and the spans
        of its verb and its particle (step 8)."""
        splits = self._splits(text)
        if not splits:
            return []
        spans = [match.span() for match in self.word_pattern.finditer(text.replace("_", " "))]
        term = self.index_terms
        return [(term(split.infinitive)[0], spans[split.verb_at], spans[split.particle_at]) for split in splits]

    def verb_terms(self, words: Iterable[str]) -> set[str]:
        """The query terms of those ``words`` that are a separable verb written as one word
        (``intrekken``, ``ingetrokken``), which a text may write apart."""
        if not self.separable:
            return set()
        found: set[str] = set()
        for raw in words:
            if particle_verb_of(fold(raw)):
                found.update(self.word_terms(raw, True)[:1])
        return found

    def split_verb_words(self, text: str) -> dict[int, list[str]]:
        """Word number -> the query terms of the separable verbs written apart in ``text``
        (``springt … bij``) that the word is the verb or the particle of (step 8)."""
        found: dict[int, list[str]] = {}
        for split in self._splits(text):
            term = self.word_terms(split.infinitive, True)[0]
            for number in (split.verb_at, split.particle_at):
                found.setdefault(number, []).append(term)
        return found

    def _split_verbs(self, text: str) -> dict[int, list[str]]:
        """Word number -> the separable verbs written apart whose finite verb it is (step 8)."""
        verbs: dict[int, list[str]] = {}
        for split in self._splits(text):
            verbs.setdefault(split.verb_at, []).append(split.infinitive)
        return verbs

    def terms(self, text: str, *, query: bool = False) -> list[str]:
        """Return ``[t.text for t in self.analyze(text, query=query)]``."""
        return [t.text for t in self.analyze(text, query=query)]

    def index_positions(self, text: str) -> tuple[dict[str, list[int]], int]:
        """The index terms of ``text`` with their word positions, and the number of tokens.

        The same result as collecting ``analyze(text)`` by term, without a ``Token`` per word: the
        index build's hot path.
        """
        positions: dict[str, list[int]] = {}
        get = positions.get
        count = 0
        pos = 0
        text = text.replace("_", " ")
        raw_words = self.word_pattern.findall(text)
        # map() calls the cached lookup from C: no Python frame per word.
        for found in map(self.index_terms, raw_words):
            if not found:
                continue
            for t in found:
                seen = get(t)
                if seen is None:
                    positions[t] = [pos]
                else:
                    seen.append(pos)
            count += len(found)
            pos += 1
        if self.separable:
            count += self._add_split_verbs(text, raw_words, positions, every_word_placed=pos == len(raw_words))
        return positions, count

    def _add_split_verbs(
        self, text: str, raw_words: list[str], positions: dict[str, list[int]], every_word_placed: bool
    ) -> int:
        """Add the terms of ``text``'s separable verbs written apart to ``positions`` (as
        :meth:`analyze` places them); the number of terms added. ``every_word_placed``: each
        raw word has terms, so a word's number is its position (else the words without terms
        before it are counted out)."""
        added = 0
        pos = 0
        counted = 0  # the words before ``counted`` hold ``pos`` positions
        for number, _particle_at, verb in split_verbs(text, self.word_pattern):
            if every_word_placed:
                pos, counted = number, number
            while counted < number:
                pos += bool(self.index_terms(raw_words[counted]))
                counted += 1
            own = self.index_terms(raw_words[number])
            term = self.index_terms(verb)[0]
            if not own or term in own:
                continue
            places = positions.setdefault(term, [])
            at = bisect.bisect_left(places, pos)
            if at < len(places) and places[at] == pos:  # a second verb of the same word
                continue
            places.insert(at, pos)
            added += 1
        return added

    def info(self) -> dict[str, str]:
        """Describe the chain for the index's record (an index must be queried with the same)."""
        if self._info is None:
            named = {} if self.id == SHIPPED_ID else {CHAIN_KEY: self.id}
            self._info = {
                "analyzer": ANALYZER_ID,
                "stemmer": self.stemmer,
                **named,
                "snowballstemmer": _version("snowballstemmer"),
                "pystemmer": _version("PyStemmer"),
                "lexicon": lexicon_name(),
            }
        return dict(self._info)


class _ShippedChain(AnalyzerChain):
    """The product's chain. Its index terms come from ``_INDEX_TERMS``, which a build can fill
    with the previous build's answers (:func:`use_known_index_terms`)."""

    index_terms = _INDEX_TERMS.__getitem__  # type: ignore[assignment]


SHIPPED_ID = "shipped"
#: The chain kvsearch builds and searches with.
SHIPPED: AnalyzerChain = _ShippedChain(
    SHIPPED_ID,
    stem=stem,
    stemmer=STEMMER_NAME,
    description="fold, hyphens, de-gluing, compounds, dutch_porter + overrides",
)

_CHAINS: dict[str, AnalyzerChain] = {SHIPPED_ID: SHIPPED}
_building: AnalyzerChain = SHIPPED


def register_chain(chain: AnalyzerChain) -> None:
    """Make ``chain`` known to this process: an index it built can then be searched here.

    Raises:
        ValueError: another chain is registered under the same id.
    """
    known = _CHAINS.get(chain.id)
    if known is not None and known is not chain:
        raise ValueError(f"another analyzer chain is registered as {chain.id!r}")
    _CHAINS[chain.id] = chain


def chain_named(chain_id: str) -> AnalyzerChain:
    """The registered chain ``chain_id``.

    Raises:
        LookupError: no chain of that id is registered in this process.
    """
    chain = _CHAINS.get(chain_id)
    if chain is None:
        raise LookupError(f"no analyzer chain {chain_id!r} is registered (known: {', '.join(_CHAINS)})")
    return chain


def recorded_chain(record: object) -> AnalyzerChain | None:
    """The chain an index's ``versions`` record names, or None when this process does not know it."""
    chain_id = record.get(CHAIN_KEY, SHIPPED_ID) if isinstance(record, dict) else SHIPPED_ID
    return _CHAINS.get(chain_id) if isinstance(chain_id, str) else None


def building_chain() -> AnalyzerChain:
    """The chain new index builds use: :data:`SHIPPED`, except inside :func:`building_with`."""
    return _building


@contextmanager
def building_with(chain: AnalyzerChain) -> Iterator[AnalyzerChain]:
    """Register ``chain`` and make it the one new index builds use inside the ``with`` block.

    For evaluation code comparing chains; it changes this process's state, so one build at a time.
    """
    global _building
    register_chain(chain)
    before, _building = _building, chain
    try:
        yield chain
    finally:
        _building = before


def analyze(text: str, *, query: bool = False) -> list[Token]:
    """The shipped chain's tokens of ``text`` (see :meth:`AnalyzerChain.analyze`)."""
    return SHIPPED.analyze(text, query=query)


def terms(text: str, *, query: bool = False) -> list[str]:
    """Return ``[t.text for t in analyze(text, query=query)]``."""
    return SHIPPED.terms(text, query=query)


def index_positions(text: str) -> tuple[dict[str, list[int]], int]:
    """The shipped chain's index terms of ``text`` with their positions (see
    :meth:`AnalyzerChain.index_positions`)."""
    return SHIPPED.index_positions(text)


def analyzer_info() -> dict[str, str]:
    """Describe the chain new builds use, for the index's record."""
    return building_chain().info()
