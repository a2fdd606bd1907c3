"""Separable verbs written apart: ``trekt … in`` and ``in te trekken`` are ``intrekken``.

Dutch writes a separable verb as one word in a subordinate clause (``dat hij het beroep
intrekt``) and as a participle (``ingetrokken``), which the word-level analysis brings to the
verb's term. Two forms split it and stay apart without this step:

* **The ``te`` infinitive**: ``bereid om het beroep in te trekken``, ``aan te passen``: a
  particle, ``te`` and the infinitive, or an auxiliary and then the infinitive (``toe te
  kunnen sturen``, ``op te laten stellen``). Not after ``om``: ``om te komen tot`` is the
  purpose ``om … te``, not ``omkomen``.
* **The main clause**: the finite verb stands first or second, its particle closes the clause:
  ``Trekt de minister het beroep in?``, ``De gemeente springt bij.`` The particle must end the
  clause, or stand before a preposition or a subordinate clause (``Stemt u in met …``, ``Zegt
  u toe dat …``): a punctuation mark, a conjunction or a preposition follows, or the end of the
  text (not ``af en toe``); and the verb must be one of the clause's first words
  (:data:`VERB_PLACES`). Not when ``hier``, ``daar``, ``waar`` or ``er`` stands before the
  particle with no preposition between them: ``hecht hier veel waarde aan`` is ``hieraan``,
  not ``aanhechten`` (but ``draagt hier aan bij`` is ``bijdragen``, ``gaat er van uit``
  ``uitgaan``).

Either way the particle and the verb must make a lexicon word whose participle the lexicon has
too (:func:`.morphology.particle_verb`): ``voor`` … ``raad`` is no verb. The verb's term is then
added at the place of the verb, as a compound's parts are added at the compound's: the words keep
their own terms, phrases keep working, and ``intrekken`` finds ``trekt … in``.
"""

# No `from __future__ import annotations` here: typing.NamedTuple compiles every annotation
# written as a string when the class is made, and a one-line search imports this module.

import bisect
import re
from functools import cache
from typing import NamedTuple

from kvsearch.analysis.folding import fold
from kvsearch.analysis.morphology import SEPARABLE_PARTICLES, particle_verb

__all__ = ["CLAUSE_REACH", "SHORT_TEXT", "VERB_PLACES", "SplitVerb", "split_verbs"]

#: How many words from a clause's start its finite verb may stand (``Trekt``; ``De gemeente
#: springt``; ``Waarom trekt``).
VERB_PLACES = 3
#: How far before a particle its clause's start is looked for, in characters.
CLAUSE_REACH = 400

# ``om … te`` is mostly the purpose conjunction (om te komen tot, om te voorkomen).
_TE_PARTICLES = SEPARABLE_PARTICLES - {"om"}
_CONJUNCTIONS = frozenset({"en", "maar", "of", "want", "dus"})
_PREPOSITIONS = frozenset(
    "aan bij binnen door in met na naar om onder op over tegen tot tussen uit van voor zonder".split()
)
# What may follow a particle that closes its verb's clause: a prepositional phrase or a
# subordinate clause (neemt dit mee in de evaluatie, stemt in met, zegt toe omdat …). Not
# ``wat``, ``welke``: as often a determiner after a preposition (in welke mate); ``dat`` only
# where a determiner or pronoun follows it (gaf aan dat de …, not op dat moment).
_AFTER_PARTICLE = _PREPOSITIONS | {"omdat", "zodat", "wanneer", "als", "indien", "waarom"}
_AFTER_THAT = frozenset("de het een er u hij zij ze wij we ik men dit deze die zo niet nog ook alle veel".split())
# Between ``te`` and the particle's verb (toe te kunnen sturen, uit te blijven voeren); the
# modals make no particle verb of their own worth the term (toekunnen, afkunnen).
_MODALS = frozenset({"kunnen", "moeten", "mogen", "willen", "zullen", "hoeven"})
_AUXILIARIES = _MODALS | {"blijven", "gaan", "laten", "komen"}
# A particle after one of these in its clause is mostly theirs: hier … aan is hieraan, er …
# aan eraan.
_PRONOMINAL = frozenset({"hier", "daar", "waar", "er"})

# Where a verb may be split, found by one search of the lowercased text (most texts have few
# such places, so words are looked at only there): a particle after a space and before ``te``
# and one or two words (groups 2, 3), before a break or the end, or before a follower and the
# word after it (groups 4, 5). Starting with a space lets the search skip from space to space.
_PARTICLE = "|".join(sorted(SEPARABLE_PARTICLES, key=len, reverse=True))
_BREAK_CHARACTERS = r"[.?!;:,()\[\]\"“”]"
_FOLLOWERS = "|".join(sorted(_AFTER_PARTICLE | _CONJUNCTIONS | {"dat"}))
#: Texts up to this long (a query, a title) are first checked for a particle among their words:
#: most typed queries have none, and a one-line search then compiles no pattern of this module.
SHORT_TEXT = 200


@cache
def _candidates() -> re.Pattern[str]:
    return re.compile(
        rf" ({_PARTICLE})(?=\s+te\s+(\w+)(?:\s+(\w+))?|\s*(?:{_BREAK_CHARACTERS}|$)"
        rf"|\s+({_FOLLOWERS})\b(?:\s+(\w+))?)"
    )


@cache
def _last_break() -> re.Pattern[str]:
    """The start of a clause: the end of the last break before it."""
    return re.compile(rf"(?s).*{_BREAK_CHARACTERS}")


class SplitVerb(NamedTuple):
    """A separable verb written apart: where its words stand (their numbers among a text's
    words) and its infinitive, folded."""

    verb_at: int
    particle_at: int
    infinitive: str


def split_verbs(text: str, word_pattern: re.Pattern[str]) -> list[SplitVerb]:
    """The separable verbs written apart in ``text``, its words being the matches of
    ``word_pattern``, in the order of their verbs."""
    low = " " + text.lower().replace("\n", " ")
    if "\t" in low or "\r" in low:
        low = low.replace("\t", " ").replace("\r", " ")
    if len(low) != len(text) + 1:  # a letter whose lower case is longer (İ): offsets would shift
        return []
    if len(low) <= SHORT_TEXT and SEPARABLE_PARTICLES.isdisjoint(word_pattern.findall(low)):
        return []
    found: list[SplitVerb] = []
    numbers = _WordNumbers(low, word_pattern)
    for match in _candidates().finditer(low):
        particle, after_te, second, follower, next_word = match.groups()
        if after_te is not None:
            te_verb = _te_infinitive(particle, after_te, second) if particle in _TE_PARTICLES else None
            if te_verb is not None:
                number = numbers.at(match.start(1))
                found.append(SplitVerb(number + te_verb[0], number, te_verb[1]))
        elif follower is None or _closes_before(particle, follower, next_word or ""):
            split = _closing_particle(low, match.start(1), particle, numbers)
            if split is not None:
                found.append(split)
    found.sort()
    return found


def _te_infinitive(particle: str, first: str, second: str | None) -> tuple[int, str] | None:
    """``in te trekken``, ``toe te kunnen sturen``: (how many words after the particle the verb
    stands, the verb) for the words after ``te``, or None."""
    first = fold(first)
    places = [(2, first)]
    if first in _AUXILIARIES and second:
        places.insert(0, (3, fold(second)))
    for after, form in places:
        verb = None if form in _MODALS else particle_verb(particle, form)
        if verb is not None:
            return after, verb
    return None


def _closing_particle(low: str, start: int, particle: str, numbers: "_WordNumbers") -> SplitVerb | None:
    """``Trekt de minister het beroep in?``: the verb among the first words of the clause that
    the particle at ``start`` of ``low`` closes, or None."""
    reach = max(1, start - CLAUSE_REACH)
    last_break = _last_break().match(low, reach, start)
    if last_break is None and reach > 1:
        return None  # no start of the clause within reach
    clause_start = last_break.end() if last_break else 1
    words = numbers.word_pattern.findall(low, clause_start, start)
    # A clause also starts after a coordinating conjunction (… en past de regels aan).
    first = max((place + 1 for place, word in enumerate(words) if word in _CONJUNCTIONS), default=0)
    if first >= len(words) or words[-1] == "te" or _stranded(words, first):
        return None
    for place in range(first, min(first + VERB_PLACES, len(words))):
        verb = particle_verb(particle, fold(words[place]))
        if verb is not None:
            before = numbers.at(clause_start)
            return SplitVerb(before + place, before + len(words), verb)
    return None


def _closes_before(particle: str, follower: str, next_word: str) -> bool:
    """Whether ``particle`` followed by ``follower`` (then ``next_word``) may close its verb's
    clause: before a conjunction (not af en toe), a preposition (not om, nor samen met) or
    ``dat`` opening a clause (not op dat moment)."""
    if follower in _CONJUNCTIONS:
        return next_word not in SEPARABLE_PARTICLES
    if particle == "om" or (particle, follower) == ("samen", "met"):
        return False
    if follower == "dat":
        return next_word in _AFTER_THAT
    return True


def _stranded(words: list[str], first: int) -> bool:
    """Whether the particle after ``words`` is the preposition of a ``hier``, ``daar``,
    ``waar`` or ``er`` before it in its clause (from ``words[first]``), with no preposition
    between them."""
    for word in reversed(words[first:]):
        if word in _PRONOMINAL:
            return True
        if word in _PREPOSITIONS or word in SEPARABLE_PARTICLES:
            return False
    return False


class _WordNumbers:
    """How many words of ``word_pattern`` stand before an offset of ``text`` (a word's start),
    each count going on from the nearest offset counted before: the places come in text order
    (a clause's start at most ``CLAUSE_REACH`` back), so a text is counted through about once,
    however many verbs it splits."""

    def __init__(self, text: str, word_pattern: re.Pattern[str]) -> None:
        self.text = text
        self.word_pattern = word_pattern
        self._offsets = [0]
        self._counts = [0]

    def at(self, offset: int) -> int:
        nearest = bisect.bisect_right(self._offsets, offset) - 1
        count = self._counts[nearest] + len(self.word_pattern.findall(self.text, self._offsets[nearest], offset))
        if offset > self._offsets[-1]:
            self._offsets.append(offset)
            self._counts.append(count)
        return count
