"""Dutch text analysis for kvsearch: tokens, folding and stemming.

Pure module: stdlib + snowballstemmer only (PyStemmer is used transparently by snowballstemmer
when it is installed). Whoosh glue lives in ``schema.py``.

The chain (``analyze``), per word:

1. **Tokenise** the raw text with one regex so that ``start``/``end`` are offsets into the
   caller's string. A word is a run of letters/digits (no underscore) that may contain internal
   hyphens (``-``, U+2010, U+2011) and apostrophes (``'`` ’ ‘ ʼ ′). Combining marks, the spacing
   accents that PDF extraction leaves behind (``Kostic´``) and soft hyphens (U+00AD, and U+FFFE,
   which pdftotext writes for a discretionary hyphen: ``regen￾boogprovincie``) count as word
   characters so they never split a word.
2. **Normalise + fold** (``fold``): NFKD (expands ligatures such as ﬁ, full-width forms),
   casefold, drop combining marks, spacing accents and soft hyphens, map the letters NFKD does
   not decompose (æ œ ø ß ł đ ı …). ``Israël`` → ``israel``. Folding happens before stemming, so
   ``geïnformeerd`` and ``geinformeerd`` get the same stem. Apostrophe variants become ``'``.
3. **Possessive/plural 's**: a final ``'s`` is dropped (``risico's`` → ``risico``).
4. **Hyphens**: a hyphenated word yields its concatenation and its parts, all at the word's
   position (``staten-generaal`` → statengeneraal, staten, generaal). When the concatenation is
   a lexicon word and a part is not, the hyphen is a line-break artefact and only the repaired
   word is kept (``beant-woording`` → beantwoording). At query time only the concatenation is
   used, which the index always holds.
5. **De-gluing** (index only): a word that is not in the lexicon and splits into a function
   word + a lexicon word (``hetkader``, ``onderzoekvan``, ``bijhet``; chains such as
   ``inhetkader``) also yields the parts. PDF extraction lost the spaces at line ends in
   limburg-2024 (about 4 % of its tokens). Function word + word wins over a compound reading
   (``wel|degelijk``, not ``welde|gelijk``).
6. **Decompounding** (index only): words of 7+ letters are split at the longest head that is a
   lexicon word, with the modifier taken as is or minus a linking ``en/er/s/e/n``
   (``verkiezing|s|uitslag``, ``zorg|verzekeraar``, ``kind|er|opvang``); modifier and head are
   split again (at most 3 levels). Parts need 4+ letters (3 for a short list: wet, gas, lid…).
   Guard rails against the lexicon's junk entries: a particle/prefix + word is a derivation
   and is not split there (``samen|werking``, ``voor|waarden``, ``bij|voorbeeld``); suffix-like
   heads are refused (``heid``, ``lijk``, ``baar``, ``sing``…), as are vowel-initial heads of
   < 5 letters and short prefix-initial modifiers (``verg|ader``, ``gesp|rekken``); a protected
   list keeps lexicalised words whole (burgemeester, noodzakelijk, maatregel). Letters glued to
   digits (``januari2020``) yield the runs.
   The lexicon is the OpenTaal word list (BSD; ``data/LEXICON.md``), membership only: no
   frequencies, so the choice is rule-based rather than scored.
7. **No stop-word removal**: positions of every word are kept so phrase queries such as
   "uw Kamer" or "niet uitgevoerd" work. Function words are not stemmed either (Porter would
   merge ``geen``/``gen``, ``eens``/``een``).
8. **Stemming** (``stem``): override map → ``dutch_porter`` (Martin Porter's Dutch algorithm;
   Snowball 3's ``dutch`` is Kraaij-Pohlmann, which merges gemeente/mening, geweld/wel,
   gebied/bieden) → undoubling of a final double consonant (plann → plan) and final devoicing
   (brieven → briev → brief, huizen → huis; effectieve → effectief). Before Porter,
   vowel-plural ``-ies``/``-ees``/``-tes`` lose the ``s`` (provincies → provincie).
   The override map keeps the corpus's real false friends apart (wet/weten, reden/reeds,
   overheid/over, nieuws/nieuwe, mens/men) and joins a few irregular plurals
   (leden → lid, kinderen → kind); a verb-form map sends ~70 frequent corpus verb forms that
   Porter leaves alone to their infinitive's stem (gemaakt/maakt → maken, gesteld → stellen).

Every derived word (hyphen part, compound part, de-glued part) is emitted *at the position of the
whole word*, with the whole word's offsets (Lucene decompounder style); the whole word always
comes first. Phrase queries on the original text therefore keep working, and ``uitslag`` finds
``verkiezingsuitslag``. Query analysis (``query=True``) does the same normalisation, folding and
stemming but emits one term per word: the index already holds the parts.
Results are cached per distinct raw word, so indexing cost is driven by the vocabulary size.
Bump ``ANALYZER_ID`` whenever the terms produced for some input change: an index built with one
analyzer must not be queried with another.
"""

from __future__ import annotations

import bisect
import json
import os
import re
import sys
import unicodedata
import zlib
from collections.abc import Callable, Container, Iterator
from contextlib import contextmanager
from functools import cache, lru_cache
from pathlib import Path
from typing import NamedTuple

import snowballstemmer

__all__ = [
    "ANALYZER_ID",
    "SHIPPED",
    "AnalyzerChain",
    "Token",
    "analyze",
    "analyzer_info",
    "building_chain",
    "building_with",
    "chain_named",
    "recorded_chain",
    "register_chain",
    "fold",
    "index_positions",
    "index_terms_cache",
    "stem",
    "terms",
    "use_known_index_terms",
]

ANALYZER_ID = "nl-5"
STEMMER_NAME = "dutch_porter"

# --------------------------------------------------------------------------------------------
# Tokeniser
# --------------------------------------------------------------------------------------------

# Characters that belong to a word without being letters: combining marks, spacing accents
# (PDF extraction writes "Kostic´" / "Israe¨l"), soft hyphen and pdftotext's U+FFFE hyphen.
_MARKS = (
    "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f\u00a8\u00af\u00b4\u00b8\u02c6-\u02df\u00ad\ufffe"
)
# \w also matches "_"; analyze() maps "_" to " " first (same length, so offsets hold), which
# is cheaper than excluding it here with an alternation.
_WORDCHAR = rf"[\w{_MARKS}]"
_HYPHENS = "-\u2010\u2011"
_APOSTROPHES = "'\u2019\u2018\u02bc\u2032"
_WORD_RE = re.compile(rf"{_WORDCHAR}+(?:[{_HYPHENS}{_APOSTROPHES}]{_WORDCHAR}+)*")

_WORDCHAR_RE = re.compile(_WORDCHAR)
_CONNECTORS = frozenset(_HYPHENS + _APOSTROPHES)

_SPLIT_HYPHENS_RE = re.compile(f"[{_HYPHENS}]+")
_ALNUM_RUNS_RE = re.compile(r"[^\W\d_]+|\d+")

# --------------------------------------------------------------------------------------------
# Folding
# --------------------------------------------------------------------------------------------

# Letters that NFKD leaves alone, and apostrophe/hyphen variants.
_FOLD_MAP = str.maketrans(
    {
        "æ": "ae",
        "œ": "oe",
        "ø": "o",
        "ß": "ss",
        "ł": "l",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "ı": "i",
        "ħ": "h",
        "ŧ": "t",
        "\u2019": "'",
        "\u2018": "'",
        "\u02bc": "'",
        "\u2032": "'",
        "\u2010": "-",
        "\u2011": "-",
    }
)
# Removed before NFKD: spacing accents (NFKD would turn them into space + combining mark) and
# soft hyphens.
_DROP = {c: None for c in "\u00a8\u00af\u00b4\u00b8\u00ad\ufffe"}
_DROP.update({c: None for c in range(0x2C6, 0x2E0)})
_DROP = {(ord(k) if isinstance(k, str) else k): v for k, v in _DROP.items()}


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """Return ``text`` normalised for matching: NFKD, casefolded, without accents.

    Ligatures and compatibility forms are expanded (ﬁ → fi), combining marks and the spacing
    accents left by PDF extraction are dropped (``Kostić`` and ``Kostic´`` → ``kostic``),
    soft hyphens are removed and apostrophe/hyphen variants become ``'``/``-``.
    Never raises.
    """
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.translate(_DROP).casefold())
    kept = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", kept.translate(_FOLD_MAP).casefold())


# --------------------------------------------------------------------------------------------
# Stemming
# --------------------------------------------------------------------------------------------

_STEMMER = snowballstemmer.stemmer(STEMMER_NAME)

# Words Porter gets wrong in this corpus (folded form → stem). The values are chosen so they do
# not collide with any Porter stem of an unrelated word.
OVERRIDES: dict[str, str] = {
    # Lucene's default DutchAnalyzer dictionary.
    "fiets": "fiets",
    "bromfiets": "bromfiets",
    "ei": "eier",
    "eieren": "eier",
    "kind": "kinder",
    "kinderen": "kinder",
    # wet (law) vs weten (to know).
    "wet": "wet",
    "wetten": "wet",
    "weten": "weten",
    "weet": "weten",
    "wist": "weten",
    "wisten": "weten",
    # reden (reason) vs reeds (already) vs red(den).
    "reden": "reden",
    "redenen": "reden",
    "reeds": "reeds",
    # over (about) vs overige vs overheid.
    "overig": "overig",
    "overige": "overig",
    "overigen": "overig",
    "overheid": "overheid",
    "overheden": "overheid",
    # nieuws (news) vs nieuw(e).
    "nieuws": "nieuws",
    # mens (person) vs men (one).
    "mens": "mens",
    "mensen": "mens",
    # opening vs open(lijk).
    "opening": "opening",
    "openingen": "opening",
    # name ("met name") vs nam (took).
    "name": "name",
    # Irregular plurals.
    "leden": "lid",
    "lid": "lid",
    "huizen": "huis",
    "huis": "huis",
    "bedrijven": "bedrijf",
    "bedrijf": "bedrijf",
    "steden": "stad",
    "stad": "stad",
    "schepen": "schip",
    "schip": "schip",
}

# Frequent verb forms Porter leaves apart from their infinitive (3rd person -t, participles):
# form → infinitive, stemmed like the infinitive. Taken from the corpus vocabulary; forms whose
# infinitive stems like an unrelated noun are left out (geldt/gelden → geld "money").
VERB_FORMS: dict[str, str] = {
    "vindt": "vinden",
    "komt": "komen",
    "blijkt": "blijken",
    "betekent": "betekenen",
    "betreft": "betreffen",
    "houdt": "houden",
    "gebruikt": "gebruiken",
    "dient": "dienen",
    "stelt": "stellen",
    "gesteld": "stellen",
    "ligt": "liggen",
    "werkt": "werken",
    "gewerkt": "werken",
    "valt": "vallen",
    "herkent": "herkennen",
    "kent": "kennen",
    "erkent": "erkennen",
    "kijkt": "kijken",
    "gebeurt": "gebeuren",
    "biedt": "bieden",
    "leidt": "leiden",
    "beperkt": "beperken",
    "volgt": "volgen",
    "zorgt": "zorgen",
    "benadrukt": "benadrukken",
    "krijgt": "krijgen",
    "gekregen": "krijgen",
    "genoemd": "noemen",
    "noemt": "noemen",
    "gevoerd": "voeren",
    "voert": "voeren",
    "gefinancierd": "financieren",
    "financiert": "financieren",
    "geleverd": "leveren",
    "levert": "leveren",
    "monitort": "monitoren",
    "gemonitord": "monitoren",
    "voorkomt": "voorkomen",
    "zegt": "zeggen",
    "gezegd": "zeggen",
    "geborgd": "borgen",
    "borgt": "borgen",
    "maakt": "maken",
    "gemaakt": "maken",
    "neemt": "nemen",
    "genomen": "nemen",
    "geeft": "geven",
    "gegeven": "geven",
    "ziet": "zien",
    "gezien": "zien",
    "vraagt": "vragen",
    "gevraagd": "vragen",
    "informeert": "informeren",
    "geinformeerd": "informeren",
    "ontvangt": "ontvangen",
    "onderzoekt": "onderzoeken",
    "onderzocht": "onderzoeken",
    "verwacht": "verwachten",
    "blijft": "blijven",
    "gebleven": "blijven",
    "besluit": "besluiten",
    "besloten": "besluiten",
    "gedaan": "doen",
    "doet": "doen",
    "gesproken": "spreken",
    "spreekt": "spreken",
    "gepubliceerd": "publiceren",
    "publiceert": "publiceren",
}

# Function words are not stemmed: Porter merges geen/gen, eens/een, ons/on.
FUNCTION_WORDS: frozenset[str] = frozenset(
    """
    aan af al alle alles als alsnog altijd andere ben bij binnen daar daarom dan dat de der deze
    die dit doch doen door dus een eens en er ge geen geweest haar had heb hebben heeft hem het
    hier hij hoe hun ieder iemand iets ik in is ja je jij jou jouw kan kon kunnen maar me meer men
    met mij mijn moet na naar niet niets nog nu of om omdat ons ook op over reeds te tegen toch
    toen tot u uit uw van veel voor waar wanneer want waren was wat we wel werd wezen wie wij wil
    worden wordt zal ze zelf zich zij zijn zo zonder zou
    """.split()
)

_VOWELS = frozenset("aeiouy")


def make_stem(stemmer: object) -> Callable[[str], str]:
    """The ``stem`` function of the chain, built on one Snowball stemmer (see ``stem``)."""
    stem_word = stemmer.stemWord  # type: ignore[attr-defined]

    @lru_cache(maxsize=200_000)
    def stem(word: str) -> str:
        """Return the index term for one folded, lowercase word.

        Order: override map; verb-form map (``gemaakt`` → stem of ``maken``); function words,
        words of < 3 letters and words with digits unchanged; vowel-plural ``s`` rule
        (``provincies`` → ``provincie``); ``dutch_porter``; undoubling of a final double consonant
        for stems of 4+ letters (``plann`` → ``plan``); final devoicing after ``-ven``/``-zen``
        (``briev`` → ``brief``). Never raises.
        """
        hit = OVERRIDES.get(word)
        if hit is not None:
            return hit
        verb = VERB_FORMS.get(word)
        if verb is not None and verb != word:
            return stem(verb)
        if word in FUNCTION_WORDS or len(word) < 3 or not word.isalpha():
            return word
        n = len(word)
        if (n >= 6 and (word.endswith("ies") or word.endswith("ees"))) or (n >= 7 and word.endswith("tes")):
            word = word[:-1]
            hit = OVERRIDES.get(word)
            if hit is not None:
                return hit
        s: str = stem_word(word)
        if len(s) >= 4 and s[-1] == s[-2] and s[-1] not in _VOWELS and s[-1].isalpha():
            s = s[:-1]
        elif s[-1:] in ("v", "z") and word.endswith(("ven", "zen")):
            # Final devoicing: brieven → briev → brief, ziekenhuizen → ziekenhuiz → ziekenhuis.
            s = s[:-1] + ("f" if s[-1] == "v" else "s")
        elif s.endswith("iev") and word.endswith("ieve"):
            # Adjectives in -ief: effectieve → effectiev → effectief (positieve, preventieve).
            s = s[:-1] + "f"
        return s

    return stem


#: The shipped stemmer: override map → ``dutch_porter`` → undoubling/devoicing (see ``make_stem``).
stem = make_stem(_STEMMER)


# --------------------------------------------------------------------------------------------
# Lexicon (OpenTaal word list, BSD; see data/LEXICON.md). Loaded lazily: query analysis never
# needs it, so the searcher does not pay for it.
# --------------------------------------------------------------------------------------------

_LEXICON_PATH = Path(__file__).resolve().parent / "data" / "nl_lexicon.chunks"


#: After this many words analysed with the lexicon, a process builds the set of its words
#: (an index build analyses millions); before, lookups are binary searches in the file's text.
LEXICON_SET_AFTER = 2000
_lexicon_uses = 0


class _ChunkedWords:
    """The lexicon file: sorted words in zlib-compressed chunks, looked up without loading all.

    Layout (``scripts/build_lexicon.py``): a ``#`` header line, a JSON line listing each
    chunk's first word and compressed length, then the chunks (sorted words, one per line).
    A search that highlights a compound needs a few lookups: one chunk is inflated for each
    (a fraction of a millisecond) instead of the whole list (40-70 ms) or a set of 390,000
    words (about 0.1 s more).
    """

    def __init__(self, data: bytes) -> None:
        self.firsts: list[str] = []
        self.spans: list[tuple[int, int]] = []
        self.chunks: dict[int, bytes] = {}
        self.data = data
        if not data:
            return
        header_end = data.index(b"\n")
        index_end = data.index(b"\n", header_end + 1)
        start = index_end + 1
        for first, length in json.loads(data[header_end + 1 : index_end]):
            self.firsts.append(first)
            self.spans.append((start, start + length))
            start += length

    def __bool__(self) -> bool:
        return bool(self.firsts)

    def chunk(self, number: int) -> bytes:
        if number not in self.chunks:
            start, end = self.spans[number]
            self.chunks[number] = zlib.decompress(self.data[start:end])
        return self.chunks[number]

    def words(self) -> list[str]:
        return [w for number in range(len(self.spans)) for w in self.chunk(number).decode("utf-8").split()]

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str) or not word:
            return False
        number = bisect.bisect_right(self.firsts, word) - 1
        return number >= 0 and _in_sorted_lines(self.chunk(number), word.encode("utf-8"))


def _in_sorted_lines(text: bytes, key: bytes) -> bool:
    """Whether ``key`` is a line of ``text`` (sorted lines; UTF-8 keeps code-point order)."""
    low, high = 0, len(text)
    while low < high:
        middle = (low + high) // 2
        start = text.rfind(b"\n", 0, middle) + 1
        end = text.find(b"\n", start)
        if end < 0:
            end = len(text)
        line = text[start:end]
        if line == key:
            return True
        if line < key:
            low = end + 1
        else:
            high = start
    return False


@cache
def _chunked_lexicon() -> _ChunkedWords:
    """The lexicon file, read but not inflated; empty when the file is missing or damaged."""
    try:
        return _ChunkedWords(_LEXICON_PATH.read_bytes())
    except (OSError, ValueError):
        return _ChunkedWords(b"")


@cache
def lexicon_words() -> frozenset[str]:
    """Every word form of the lexicon (folded), as a set: for processes that look up many."""
    try:
        return frozenset(_chunked_lexicon().words())
    except (zlib.error, UnicodeDecodeError):
        return frozenset()


def _lexicon() -> Container[str]:
    """The lexicon for one word's analysis: a set once a process has used it often."""
    global _lexicon_uses
    _lexicon_uses += 1
    if _lexicon_uses > LEXICON_SET_AFTER:
        return lexicon_words()
    return _chunked_lexicon()


@cache
def _lexicon_name() -> str:
    """ "name source version" from the data file's header line, or "" when it is missing."""
    try:
        with open(_LEXICON_PATH, "rb") as f:
            header = f.readline().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return ""
    # "# opentaal-wordlist (Debian wdutch 1:2.20.19-2); ..."
    #   -> "opentaal-wordlist wdutch 1:2.20.19-2"
    m = re.match(r"#\s*(\S+)\s*\(Debian (\S+) ([^)]+)\)", header)
    return f"{m.group(1)} {m.group(2)} {m.group(3)}" if m else header.lstrip("# ").strip()


# --------------------------------------------------------------------------------------------
# Decompounding and de-gluing (index time only)
# --------------------------------------------------------------------------------------------

# Lexicalised words that look like compounds but must stay whole.
PROTECTED: frozenset[str] = frozenset(
    """
    samenwerking samenwerkingen noodzakelijk noodzakelijke daadwerkelijk daadwerkelijke
    tegelijkertijd slachtoffer slachtoffers burgemeester burgemeesters bijvoorbeeld handreiking
    handreikingen wetenschappelijk wetenschappelijke maatschappelijk maatschappelijke
    voorwaarde voorwaarden huisvesting maatregel maatregelen netwerk netwerken
    """.split()
)

# Three-letter words that may be a compound part (wetsvoorstel, jeugdwet, kamerlid, gasveld).
# Other parts need four letters: short lexicon words (bet, vol, nat, des) make too many false
# splits.
SHORT_PARTS: frozenset[str] = frozenset("wet weg dag zee gas ijs oog lid pad vak eis zon net".split())

# Particles and prefixes. A word that is particle/prefix + lexicon word is a derivation, not a
# compound (samen|werking, voor|waarden, uit|voering, ver|keer, bij|voorbeeld): it is not split
# there, only that second word's own parts are emitted (aanvraag|formulier via vraag|formulier).
_PARTICLES: frozenset[str] = frozenset(
    """
    aan af achter bij binnen boven buiten door in mede mee na om onder ont op over overeen samen
    te tegen toe tussen uit ver voor weer be ge her er inter infra super trans terug voort neer
    heen mis wan vol on des ten ter neder
    """.split()
)

# Lexicon entries that are truncations or rare words and made false modifiers in the corpus
# (ver|g|ader, ge|sp|rekken, beha|deling, docu|menten, inge|zonden, alge|meen, para|graaf).
_NOT_MODIFIER: frozenset[str] = frozenset(
    """
    inge opge aange uitge afge toege doorge voorge meege overge onderge terugge bete docu arti
    alge maxi mini hele para beha toes gesp prak tran miss dien verg vers verst konink indi foss
    asses amen part vooronder euro stand ambten voorne prakt combi moti
    """.split()
)
# Short modifiers starting with an unstressed prefix are nearly always truncations
# (verg, vers, gesp, bete, bezet); these few are real.
_PREFIXED_OK: frozenset[str] = frozenset("geld gezin gevel berg beek beer gebed gevaar".split())

# Lexicon words that are mostly derivational suffixes or word-final chunks: never a head
# (gezond|heid, eigen|lijk, beschik|baar, mogelijk|heden, toepas|sing, regel|matig, hand|elingen).
_NOT_HEAD: frozenset[str] = frozenset(
    """
    heid heden lijk lijke lijkheid lijkheden schap schappen schappelijk schappelijke baar bare
    baarheid zaam zame zaamheid loos loze achtig achtige isch ische ingen tjes erij erijen ster
    sters ling lingen ties aars isten ieve teit teiten atie aties ende enden eren ering eringen
    elijk elijke nissen igheid igheden dom sing singen ming mingen king kingen ting tingen ging
    gingen ring ringen ding dingen ning ningen lende lenden sten eling elingen erken aarden ijen
    aren enen iele eert maal meen rijk rijke rijker rijkste matig matige stig aris sleven lagen
    tukken taat telling tellingen tellen tenen ijken ment menten laren terecht prekend eerde eerd
    kenen loosheid dommen
    """.split()
)

# Linking morphemes tried on a modifier, longest first: verkiezing|s|uitslag, kind|er|opvang,
# boek|en|kast, ziekte|n|kosten.
_LINKS = ("en", "er", "s", "e", "n")

# Function words that PDF extraction glues to a neighbour (hetkader, bijhet, onderzoekvan).
GLUE_WORDS: frozenset[str] = frozenset(
    """
    de het een en van in op te voor met aan bij uit over door naar als dat die dit is zijn wordt
    werd of om tot ook niet er ze wij we hij zij uw deze dan maar nog wel zo al kan moet heeft
    hebben worden waarin waarbij omdat zoals onder tegen sinds tussen binnen na per via
    """.split()
)

_MIN_COMPOUND = 7  # shortest word that is tried as a compound
_MAX_DEPTH = 3
_PREFIX_RE = re.compile(r"(?:be|ge|ver|ont|her|er)")
_VOWEL_START = frozenset("aeiou")


def _part_ok(word: str, lexicon: Container[str]) -> bool:
    return (len(word) >= 4 or word in SHORT_PARTS) and word in lexicon


def _modifier(left: str, lexicon: Container[str]) -> str | None:
    """``left`` (or ``left`` minus a linking morpheme) when it can be a compound modifier."""
    if left in GLUE_WORDS or left in FUNCTION_WORDS:
        return None  # worden|gedragen is glue, not word|en|gedragen
    for c in (left, *(left[: -len(x)] for x in _LINKS if left.endswith(x))):
        if c in _NOT_MODIFIER or c in _PARTICLES or c in GLUE_WORDS or c in FUNCTION_WORDS:
            continue
        if len(c) <= 5 and _PREFIX_RE.match(c) and c not in _PREFIXED_OK:
            continue
        if _part_ok(c, lexicon):
            return c
    return None


def _head_ok(right: str, lexicon: Container[str]) -> bool:
    return (
        _part_ok(right, lexicon)
        and right not in _NOT_HEAD
        and right not in GLUE_WORDS
        and right not in FUNCTION_WORDS
        and (right[0] not in _VOWEL_START or len(right) >= 5)
    )


def _decompound(word: str, lexicon: Container[str], depth: int = 0) -> list[str]:
    """Compound parts of ``word`` (normalised, linking morphemes removed), or [].

    Longest head first (Dutch compounds are right-headed, and a head that is a lexicon word is
    kept whole); then the modifier and the head are split again, up to ``_MAX_DEPTH`` levels.
    """
    if depth >= _MAX_DEPTH or len(word) < _MIN_COMPOUND or word in PROTECTED:
        return []
    n = len(word)
    for i in range(2, n - 2):
        head = word[i:]
        if not _head_ok(head, lexicon):
            continue
        left = word[:i]
        if left in _PARTICLES:
            # A derivation (samen|werking, voor|waarden): no split here, only the head's parts.
            return _decompound(head, lexicon, depth + 1)
        if i + 1 < n and word[i - 1] == head[0] and len(head) <= 4 and head[0] not in "aeiou":
            continue  # a doubled consonant split into a short head: wetenschap|pers
        mod = _modifier(left, lexicon)
        if mod is None:
            continue
        return [
            mod,
            *_decompound(mod, lexicon, depth + 1),
            head,
            *_decompound(head, lexicon, depth + 1),
        ]
    return []


def _deglue(word: str, lexicon: Container[str], depth: int = 0) -> list[str]:
    """Split a word that is not in the lexicon into a function word + a word, or [].

    ``hetkader`` → het + kader, ``onderzoekvan`` → onderzoek + van, ``inhetkader`` → in + het +
    kader. Prefers the split with the fewest parts, then the longest part.
    """
    n = len(word)
    if depth >= _MAX_DEPTH or n < 5 or word in lexicon:
        return []
    two: list[list[str]] = []
    more: list[list[str]] = []
    for i in range(2, n - 1):
        a, b = word[:i], word[i:]
        if a in GLUE_WORDS:
            if len(b) >= 4 and b in lexicon:
                two.append([a, b])
            elif len(b) >= 5 and not two:
                rest = _deglue(b, lexicon, depth + 1)
                if rest:
                    more.append([a, *rest])
        if a in GLUE_WORDS and b in GLUE_WORDS:
            two.append([a, b])
        if len(b) >= 3 and b in GLUE_WORDS and len(a) >= 4 and a in lexicon:
            two.append([a, b])
    best = two or more
    if not best:
        return []
    return min(best, key=lambda parts: (len(parts), -max(map(len, parts))))


@lru_cache(maxsize=200_000)
def _expand(word: str) -> tuple[str, ...]:
    """Extra index words for one folded word: compound parts, else de-glued parts (+ theirs)."""
    if word in PROTECTED or not word.isalpha():
        return ()
    lexicon = _lexicon()
    if not lexicon:
        return ()
    # Function word + lexicon word beats a compound reading: wel|degelijk, not welde|gelijk;
    # met|inbegrip, not metin|begrip. Otherwise compounds first, then longer glue chains.
    glued = _deglue(word, lexicon)
    if len(glued) != 2:
        parts = _decompound(word, lexicon)
        if parts:
            return tuple(parts)
    out: list[str] = []
    for p in glued:
        out.append(p)
        out.extend(_decompound(p, lexicon))
    return tuple(out)


# --------------------------------------------------------------------------------------------
# Analysis
# --------------------------------------------------------------------------------------------


class Token(NamedTuple):
    """One index or query term.

    ``position`` counts words (0-based); tokens derived from one word (hyphen parts, compound
    parts) share its position. ``start``/``end`` are character offsets of the source word in
    the analysed text.
    """

    text: str
    position: int
    start: int
    end: int


def _strip_possessive(word: str) -> str:
    if word.endswith("'s") and len(word) > 2:
        word = word[:-2]
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
        parts = [_strip_possessive(p).strip("'") for p in _SPLIT_HYPHENS_RE.split(word)]
        parts = [p for p in parts if p]
        if not parts:
            return ()
        whole = "".join(parts)
        out.append(stem(whole))
        if not query:
            lexicon = _lexicon()
            # A hyphenation artefact (beant-woording, organisa-ties): the concatenation is a
            # word and some part is not. Then the parts are junk and only the whole is kept;
            # otherwise (staten-generaal, navo-top) the parts are indexed too.
            # A lower-case concatenation that is a compound of lexicon words counts too
            # (netuitbrei-ding, paardenpaspoor-ten); capitalised ones may be names (Gräper-van).
            known = whole in lexicon or (raw[:1].islower() and bool(_decompound(whole, lexicon)))
            artefact = known and any(p not in lexicon for p in parts)
            pieces = [whole] if artefact else [whole, *parts]
            for piece in pieces:
                if piece is not whole:
                    out.append(stem(piece))
                if split:
                    out.extend(stem(x) for x in _expand(piece))
    else:
        out.append(stem(word))
        if not query:
            if word.isalpha():
                if split:
                    out.extend(stem(x) for x in _expand(word))
            elif not word.isdigit() and any(c.isdigit() for c in word):
                # Letters glued to digits (januari2020): index the runs as well.
                runs = _ALNUM_RUNS_RE.findall(word)
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
    a cold process analysing every word of 1,000 new passages spent about 15 % of an
    incremental build on it.
    """

    known: Callable[[str], tuple[str, ...] | None] | None = None

    def __missing__(self, raw: str) -> tuple[str, ...]:
        terms = self.known(raw) if self.known is not None else None
        if terms is None:
            terms = _terms_of(raw, False, stem, True)
        if len(self) >= INDEX_TERMS_LIMIT:
            self.clear()
        self[raw] = terms
        return terms


_INDEX_TERMS = _IndexTermCache()


def index_terms_cache() -> dict[str, tuple[str, ...]]:
    """The index terms this process has of each raw word (for a build to keep them)."""
    return _INDEX_TERMS


def use_known_index_terms(known: Callable[[str], tuple[str, ...] | None] | None) -> None:
    """Take a raw word's index terms from ``known`` where it has them (None: stop). Only for
    answers of this same analyzer: a build with the previous build's records, whose versions
    match."""
    _INDEX_TERMS.known = known


def words(text: str) -> list[str]:
    """The raw words of ``text``, as :func:`analyze` splits it (for highlighting)."""
    return _WORD_RE.findall(text.replace("_", " "))


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
        parts = [p for p in _SPLIT_HYPHENS_RE.split(word) if p]
        return tuple(stem(p) for p in parts) if len(parts) > 1 else ()
    lexicon = _lexicon()
    if not word.isalpha() or word in PROTECTED or not lexicon or len(_deglue(word, lexicon)) == 2:
        return ()
    parts = _decompound(word, lexicon)
    if not parts:
        return ()
    modifier = parts[0]
    linked = {modifier, *(modifier + link for link in _LINKS)}
    for head in parts[1:]:
        if word.endswith(head) and word[: -len(head)] in linked:
            return (stem(modifier), stem(head))
    return ()


def spans_of_words(text: str, wanted: set[str]) -> list[tuple[int, int]]:
    """Character spans of the raw words of ``text`` (as :func:`analyze` splits it) in ``wanted``.

    The text is scanned for the wanted words by one regular expression, in C; each candidate
    is kept only if it is a whole word of the tokenization (not the tail of "Kamer-lid").
    """
    if not wanted:
        return []
    text = text.replace("_", " ")
    pattern = re.compile("|".join(re.escape(w) for w in sorted(wanted, key=len, reverse=True)))
    spans = []
    for m in pattern.finditer(text):
        start = m.start()
        whole = _WORD_RE.match(text, start)
        if whole is None or whole.end() != m.end() or _continues_word(text, start):
            continue
        spans.append((start, m.end()))
    return spans


def _continues_word(text: str, start: int) -> bool:
    """Whether a word starting at ``start`` is really the continuation of an earlier word."""
    if start == 0:
        return False
    if _WORDCHAR_RE.match(text[start - 1]):
        return True
    return text[start - 1] in _CONNECTORS and start >= 2 and bool(_WORDCHAR_RE.match(text[start - 2]))


def _version(dist: str) -> str:
    """An installed distribution's version, from its ``.dist-info`` folder's name.

    Every search checks these (the index records them); ``importlib.metadata`` would cost
    more than the search (it imports ``email`` to read one line), a folder listing does not.
    """
    wanted = dist.lower().replace("-", "_")
    for folder in sys.path:
        try:
            names = os.listdir(folder or ".")
        except OSError:
            continue
        for name in names:
            stem, dot, kind = name.rpartition(".")
            if kind == "dist-info" and dot:
                project, _, version = stem.partition("-")
                if project.lower().replace("-", "_") == wanted and version:
                    return version
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return ""


# --------------------------------------------------------------------------------------------
# Analyzer chains: the shipped one, and the hook through which evaluation code adds baselines
# --------------------------------------------------------------------------------------------

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
        word_pattern: re.Pattern[str] = _WORD_RE,
        description: str = "",
    ) -> None:
        self.id = chain_id
        self.stem = stem
        self.stemmer = stemmer
        self.split = split
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
        for m in self.word_pattern.finditer(text.replace("_", " ")):
            found = word_terms(m.group(), query)
            if not found:
                continue
            start, end = m.span()
            for t in found:
                tokens.append(Token(t, pos, start, end))
            pos += 1
        return tokens

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
        # map() calls the cached lookup from C: no Python frame per word.
        for found in map(self.index_terms, self.word_pattern.findall(text.replace("_", " "))):
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
        return positions, count

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
                "lexicon": _lexicon_name(),
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
