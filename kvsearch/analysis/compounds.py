"""Compound splitting and de-gluing (index time only): the parts a word is made of.

**De-gluing**: a word that is not in the lexicon and splits into a function word + a lexicon word
(``hetkader``, ``onderzoekvan``, ``bijhet``; chains such as ``inhetkader``) also yields the parts:
PDF extraction loses the spaces at line ends. Function word + word wins over a compound reading
(``wel|degelijk``, not ``welde|gelijk``). A word that is no compound also loses a two-letter
function word at its end (``discriminatie|of``) or a function word before a compound the
lexicon lacks (``de|klachtenroute``).

**Decompounding**: words of 7+ letters are split at the longest head that is a lexicon word,
with the modifier taken as is or minus a linking ``en/er/s/e/n`` (``verkiezing|s|uitslag``,
``zorg|verzekeraar``, ``kind|er|opvang``); modifier and head are split again (at most 3 levels).
Parts need 4+ letters (3 for a short list: wet, gas, lid…). Guard rails against the lexicon's
junk entries: a particle/prefix + word is a derivation and is not split there
(``samen|werking``, ``voor|waarden``, ``bij|voorbeeld``); suffix-like heads are refused (``heid``,
``lijk``, ``baar``, ``sing``…), as are vowel-initial heads of < 5 letters and short prefix-initial
modifiers (``verg|ader``, ``gesp|rekken``); a protected list keeps lexicalised words whole
(burgemeester, noodzakelijk, maatregel). The lexicon has no frequencies, so the choice is
rule-based rather than scored.
"""

from __future__ import annotations

import re
from collections.abc import Container
from functools import lru_cache

from kvsearch.analysis.lexicon import lexicon_lookup
from kvsearch.analysis.stemming import FUNCTION_WORDS

__all__ = ["GLUE_WORDS", "LINKS", "PROTECTED", "SHORT_PARTS", "decompound", "deglue", "expand"]

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
LINKS = ("en", "er", "s", "e", "n")

# Function words that PDF extraction glues to a neighbour (hetkader, bijhet, onderzoekvan).
GLUE_WORDS: frozenset[str] = frozenset(
    """
    de het een en van in op te voor met aan bij uit over door naar als dat die dit is zijn wordt
    werd of om tot ook niet er ze wij we hij zij uw deze dan maar nog wel zo al kan moet heeft
    hebben worden waarin waarbij omdat zoals onder tegen sinds tussen binnen na per via
    """.split()
)

#: Two-letter function words that PDF extraction glues to the end of the word before them;
#: only after a word of five letters or more, so short words ending so (``lijker``) stay whole.
TRAILING_GLUE: tuple[str, ...] = ("of", "te", "de", "en", "in", "op", "om", "is", "er", "ze", "zo", "na")

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
    for c in (left, *(left[: -len(x)] for x in LINKS if left.endswith(x))):
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


def decompound(word: str, lexicon: Container[str], depth: int = 0) -> list[str]:
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
            return decompound(head, lexicon, depth + 1)
        if i + 1 < n and word[i - 1] == head[0] and len(head) <= 4 and head[0] not in "aeiou":
            continue  # a doubled consonant split into a short head: wetenschap|pers
        mod = _modifier(left, lexicon)
        if mod is None:
            continue
        return [
            mod,
            *decompound(mod, lexicon, depth + 1),
            head,
            *decompound(head, lexicon, depth + 1),
        ]
    return []


def deglue(word: str, lexicon: Container[str], depth: int = 0) -> list[str]:
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
                rest = deglue(b, lexicon, depth + 1)
                if rest:
                    more.append([a, *rest])
        if a in GLUE_WORDS and b in GLUE_WORDS:
            two.append([a, b])
        if len(b) >= 3 and b in GLUE_WORDS and len(a) >= 4 and a in lexicon:
            two.append([a, b])
    best = two or (_glued_to_compound(word, lexicon) if depth == 0 else []) or more
    if not best:
        return []
    return min(best, key=lambda parts: (len(parts), -max(map(len, parts))))


def _glued_to_compound(word: str, lexicon: Container[str]) -> list[list[str]]:
    """A function word glued to a compound the lexicon lacks (``deklachtenroute``), or a word
    glued to a short function word after it (``discriminatieof``, ``artsente``): only when the
    whole is no compound itself, since ``in|komensafhankelijk`` and ``voorlich|ter`` are not glue."""
    if decompound(word, lexicon):
        return []
    found: list[list[str]] = []
    for glue in TRAILING_GLUE:
        head = word[: -len(glue)]
        if word.endswith(glue) and len(head) >= 5 and (head in lexicon or decompound(head, lexicon)):
            found.append([head, glue])
    for glue in GLUE_WORDS:
        rest = word[len(glue) :]
        if word.startswith(glue) and len(rest) >= _MIN_COMPOUND and decompound(rest, lexicon):
            found.append([glue, rest])
    return found


@lru_cache(maxsize=200_000)
def expand(word: str, name: bool = False) -> tuple[str, ...]:
    """Extra index words for one folded word: compound parts, else de-glued parts (+ theirs).

    ``name``: the word is a person's name (:mod:`kvsearch.analysis.people`), which is not made
    of the words it happens to contain (Soepboer is not soep + boer): it is only de-glued.
    """
    if word in PROTECTED or not word.isalpha():
        return ()
    lexicon = lexicon_lookup()
    if not lexicon:
        return ()
    if name:
        glued = deglue(word, lexicon)
        return tuple(p for part in glued for p in (part, *decompound(part, lexicon)))
    # Function word + lexicon word beats a compound reading: wel|degelijk, not welde|gelijk;
    # met|inbegrip, not metin|begrip. Otherwise compounds first, then longer glue chains.
    glued = deglue(word, lexicon)
    if len(glued) != 2:
        parts = decompound(word, lexicon)
        if parts:
            return tuple(parts)
    out: list[str] = []
    for p in glued:
        out.append(p)
        out.extend(decompound(p, lexicon))
    return tuple(out)
