"""Word forms Porter leaves apart from the word a user types: their base form, before stemming.

* **Participles** go to their infinitive: after a separable particle ``afgevoerd`` →
  afvoeren, ``toegekend`` → toekennen, ``uitgevoerd`` → uitvoeren (the particle verb must be
  a lexicon word); a bare ``ge-`` participle of an -eren verb ``georganiseerd`` → organiseren
  (the verb must also have a past tense there, which nouns lack). Strong verbs come from a
  table (``data/strong_verbs.txt``): ``gesprongen`` → springen, ``ingetrokken`` → intrekken,
  ``bijgesprongen`` → bijspringen. A weak participle's infinitive is rebuilt by the spelling
  rules (vowel doubling, consonant doubling, f/v and s/z). Other bare ``ge-`` participles are
  left to the curated verb-form map of :mod:`.stemming`: ``gebied`` is not ``ge|bie|d``,
  ``gedaagd`` must not meet ``dag``, ``geoordeeld`` not the noun ``oordeel``. A participle of
  a verb that itself starts with ``ge-`` keeps it (``gebeurd`` → gebeuren, ``geloofd`` →
  geloven). Participles of inseparable verbs, which have no ``ge-``, go to their infinitive
  when strong (``besproken`` → bespreken, ``verboden`` → verbieden) or when they end in
  ``-d`` and the verb has a past tense in ``-de`` (``betaald`` → betalen, ``erkend`` →
  erkennen, ``uitbetaald`` → uitbetalen). Those in ``-t`` (``verstrekt``) are left alone:
  they are also the present tense, which would then meet the infinitive used as a noun
  ("het verdwijnen").
* **Present tense of separable verbs** goes to the infinitive: ``bijdraagt`` → bijdragen,
  ``plaatsvindt`` → plaatsvinden, ``aangeeft`` → aangeven (particle verb and bare present
  both lexicon words).
* **Present tense of strong and -eren verbs** goes to the infinitive: ``trekt`` → trekken,
  ``draagt`` → dragen, ``bespreekt`` → bespreken (the verb, bare or after a prefix, is in the
  table of strong verbs), ``concludeert`` → concluderen. Other weak verbs are left to the
  curated verb-form map: their ``-t`` form is as often a noun (``plant``, ``kaart``).
* **The simple past of strong and irregular verbs** goes to the infinitive, from a table
  (``data/strong_past.txt``): ``sprak`` → spreken, ``kwamen`` → komen, ``besloot`` →
  besluiten, also after a prefix or particle when that verb is a lexicon word (``besprak`` →
  bespreken, ``introk`` → intrekken; singular forms only: a plural after a particle is as
  often a noun's, ``afspraken``). Forms that are also a common word of their own (``week``,
  ``reden``, ``leden``, ``namen``, ``vroeg``) are only used after a prefix (``overleed``).
  Of weak verbs only those the form proves a verb: -eren verbs by their ending
  (``investeerde`` → investeren) and inseparable verbs whose participle the rule above takes
  (``betaalde`` → betalen); the curated verb-form map of :mod:`.stemming` adds the past of
  its verbs (:func:`weak_pasts`). Another weak past in ``-de``/``-te`` is as often an inflected
  adjective (``korte`` is no past of korten).
* **Comparatives and superlatives** go to the adjective: ``kortere`` → kort, ``hogere`` → hoog,
  ``zwaarder`` → zwaar, ``grootste`` → groot; the adjective and its superlative (or comparative)
  must both be lexicon words, which keeps ``water``, ``kamer`` and ``moeder`` whole.
* **Vowel plurals** in ``-es`` and ``-eaus`` lose the ``s`` when the rest is a lexicon word
  (``centrales`` → centrale, ``bureaus`` → bureau).
* **Country adjectives** go to the country (``data/country_adjectives.txt``):
  ``Oekraïense`` → oekraine, ``Russische`` → rusland, ``Europese`` → europa.

``NOT_INFLECTED`` lists words that look like such a form but are a word of their own
(``gezond`` is not a participle of zonnen, ``eerder`` not a comparative of eer, ``verslagen``
are reports, ``verkeerd`` is wrong): merging them would join unrelated words. Everything
here works on folded, lowercase words; the base form is then stemmed like any word
(:mod:`.stemming`).
"""

from __future__ import annotations

from collections.abc import Container, Iterator
from functools import cache, lru_cache
from pathlib import Path

from kvsearch.analysis.lexicon import lexicon_lookup

__all__ = [
    "NOT_INFLECTED",
    "SEPARABLE_PARTICLES",
    "base_form",
    "country_adjectives",
    "particle_verb",
    "particle_verb_of",
    "strong_participles",
    "strong_pasts",
    "weak_pasts",
]

_DATA = Path(__file__).resolve().parent / "data"

# Words that look like a participle, comparative or plural of another word but are not (or
# are mostly something else in this corpus): a merge would join unrelated words.
NOT_INFLECTED: frozenset[str] = frozenset(
    """
    gezond gezonde gezondheid geacht gebed gewest gezicht gericht gerecht gewicht gesticht
    gevecht geschikt gebruikt gelijk gelijkt gemeente gemeenten genoeg geheel gehele gemiddeld
    gemiddelde geboorte gebaar gevoel gevolg gewoon gewoonte geval gevaar geweld gebied gebieden
    gebonden gerust gebrek gesprek geleden gedragen gevallen geweten gewassen geschiedt
    geschiedenis gelegenheid gelegen geliefd geliefde gezag geding gebod gebouw gebouwd
    gezin gewend geest geestelijk eerder eerdere eerste ouder oudere ouders later latere laatste
    verder verdere nader nadere ander andere anders minder meer meest meeste zeker zekere
    gezant gebriefd gewijd geluid geslacht gereed ingewikkeld ingewikkelde ondergeschikt ondergeschikte echter rechter
    rechters leger kommer ontvanger achtste netjes gekort bekend bekende verband verleden
    verslagen ontslagen verenigd verenigde verkeerd verkeerde verlegen verstoken voorschoten beiaard
    geert
    """.split()
)

# Verbs that start with ge- themselves: their participle has no second ge- (gebeurd, geloofd).
_GE_VERBS: frozenset[str] = frozenset(
    "gebeuren geloven gebruiken gedogen getuigen gehoorzamen genezen gelukken".split()
)

# Separable particles: a participle of a separable verb puts ``ge-`` after them (af|ge|voerd).
_SEPARABLE = tuple(
    sorted(
        """
        aan af achter bij binnen boven buiten deel dicht door in mee na neer om onder op over
        plaats samen tegen terecht terug toe tussen uit vast voor voort vrij weg weer
        """.split(),
        key=len,
        reverse=True,
    )
)

SEPARABLE_PARTICLES: frozenset[str] = frozenset(_SEPARABLE)
_PARTICLE_LENGTHS = sorted({len(particle) for particle in _SEPARABLE})

# Inseparable prefixes: their participle has no ``ge-`` (betaald, erkend, besproken), which
# a particle may precede (uit|betaald, terug|betaald). ``onder``/``over``/``door``/``voor``
# are both: ondersteund, overtuigd.
_INSEPARABLE = ("be", "er", "ont", "her", "ver", "onder", "over", "door", "voor")
# Either kind, longest first: what may stand before a strong verb (be|spreken, voort|komen).
_PREFIXES = tuple(sorted(set(_INSEPARABLE + _SEPARABLE), key=len, reverse=True))

# What may stand before a strong verb's past: a particle, an inseparable prefix, or both
# (in|trok, be|sprak, toe|be|deelde).
_PAST_HEADS = frozenset(
    particle + prefix for particle in ("", *_SEPARABLE) for prefix in ("", *_INSEPARABLE) if particle or prefix
)

_VOWELS = frozenset("aeiou")
_DOUBLE_VOWELS = ("aa", "ee", "oo", "uu")


def _read_pairs(name: str) -> tuple[dict[str, str], frozenset[str]]:
    """``data/<name>`` as {first: second}, and the first words of lines marked ``*``."""
    pairs: dict[str, str] = {}
    starred: set[str] = set()
    try:
        lines = (_DATA / name).read_text("utf-8").splitlines()
    except OSError:
        return {}, frozenset()
    for line in lines:
        fields = line.split("#", 1)[0].split()
        if len(fields) >= 2:
            pairs[fields[0]] = fields[1]
            if fields[2:] == ["*"]:
                starred.add(fields[0])
    return pairs, frozenset(starred)


@cache
def strong_participles() -> tuple[dict[str, str], frozenset[str]]:
    """Strong participle → infinitive, and the participles only used after a prefix."""
    return _read_pairs("strong_verbs.txt")


@cache
def strong_pasts() -> tuple[dict[str, str], frozenset[str]]:
    """Simple past of a strong verb → infinitive, and the forms only used after a prefix."""
    return _read_pairs("strong_past.txt")


@cache
def _prefixed_pasts() -> tuple[dict[str, str], int]:
    """The table's singular pasts, those that may follow a prefix or particle (a plural after
    a particle is as often a noun's: afspraken, opnamen), and the longest one's length."""
    singulars = {past: infinitive for past, infinitive in strong_pasts()[0].items() if not past.endswith("en")}
    return singulars, max(map(len, singulars), default=0)


@cache
def country_adjectives() -> dict[str, str]:
    """Uninflected country adjective → country name (``oekraiens`` → ``oekraine``)."""
    return _read_pairs("country_adjectives.txt")[0]


def _single_vowel_before(stem: str) -> bool:
    """Whether ``stem`` ends in one vowel letter + one consonant (``stel``, ``hog``)."""
    return (
        len(stem) >= 2
        and stem[-1] not in _VOWELS
        and stem[-2] in _VOWELS
        and (len(stem) == 2 or stem[-3] not in _VOWELS)
    )


def _syllables(stem: str) -> int:
    count = 0
    previous = False
    for c in stem:
        vowel = c in _VOWELS or c == "y"
        if vowel and not previous:
            count += 1
        previous = vowel
    return count


def _stressed_after_prefix(stem: str) -> bool:
    """Whether ``stem`` is an inseparable prefix + one syllable (bestel, verleg, voorspel),
    whose last syllable carries the stress."""
    return any(stem.startswith(p) and _syllables(stem[len(p) :]) == 1 for p in _INSEPARABLE)


def _voiced(stem: str) -> str:
    """The stem with a final f/s voiced (leef → leev, reis → reiz), or itself."""
    if stem.endswith("f"):
        return stem[:-1] + "v"
    if stem.endswith("s"):
        return stem[:-1] + "z"
    return stem


def _infinitives(stem: str) -> Iterator[str]:
    """Infinitives a verb stem (1st person: maak, stel, leef, lever) can have, likeliest first."""
    if len(stem) < 2 or stem[-1] in _VOWELS:
        return
    if stem[-3:-1] in _DOUBLE_VOWELS:
        # maak → maken, leef → leven, hoor → horen: the open syllable writes one vowel.
        open_stem = stem[:-2] + stem[-1]
        yield _voiced(open_stem) + "en"
        yield open_stem + "en"
        return
    if _single_vowel_before(stem):
        doubled = stem + stem[-1] + "en"  # stel → stellen, zet → zetten
        plain = stem + "en"  # lever → leveren, wijzig → wijzigen: unstressed, no doubling
        if _syllables(stem) == 1:
            yield doubled
        elif _stressed_after_prefix(stem):
            # be|stel is stressed on stel, so bestellen (bestelen would be be|steel).
            yield from (doubled, plain)
        else:
            yield from (plain, doubled)
        return
    if stem.endswith("ij"):
        return  # a vowel: wij|d is wijden, read from the longer stem
    # voer → voeren, meld → melden, reis → reizen, verf → verven
    voiced = _voiced(stem)
    if voiced != stem:
        yield voiced + "en"
    yield stem + "en"


def _weak_readings(core: str) -> Iterator[tuple[str, str]]:
    """(stem, infinitive) readings of ``core``, a weak participle without ``ge-`` (voerd, steld).

    The participle ends in -d/-t, or the stem does (meld, zet): both readings are tried, the
    shorter stem first.
    """
    if len(core) < 3 or core[-1] not in "dt":
        return
    for stem in (core[:-1], core):
        for infinitive in _infinitives(stem):
            yield stem, infinitive


def _is_verb(stem: str, infinitive: str, lexicon: Container[str]) -> bool:
    """Whether the lexicon has the infinitive and a past tense (``stelde``, ``zette``): a noun
    (gevel, getal) has no past tense."""
    return infinitive in lexicon and (stem + "te" in lexicon or stem + "de" in lexicon)


def _participle_base(word: str, lexicon: Container[str]) -> str | None:
    """The infinitive of a participle, or None."""
    strong, prefixed_only = strong_participles()
    if word.startswith("ge"):
        infinitive = strong.get(word)
        if infinitive is not None:
            return None if word in prefixed_only else infinitive
        for stem, infinitive in _weak_readings(word[2:]):
            # A verb that starts with ge- keeps it: gebeurd → gebeuren, not beuren.
            if "ge" + infinitive in _GE_VERBS:
                return "ge" + infinitive
            # Only -eren verbs (georganiseerd, gefinancierd): the stem of another verb's
            # infinitive is often a noun's (geoordeeld/oordelen/oordeel, gedaagd/dagen/dag),
            # which a bare participle would then find. Frequent ones are in .stemming's
            # curated VERB_FORMS.
            if stem.endswith("eer") and _is_verb(stem, infinitive, lexicon):
                return infinitive
        return None
    for particle in _SEPARABLE:
        if word.startswith(particle + "ge") and len(word) > len(particle) + 4:
            core = word[len(particle) :]
            infinitive = strong.get(core)
            if infinitive is not None and particle + infinitive in lexicon:
                return particle + infinitive
            for _, infinitive in _weak_readings(core[2:]):
                if particle + infinitive in lexicon:
                    return particle + infinitive
    return _inseparable_participle_base(word, lexicon)


def _inseparable_participle_base(word: str, lexicon: Container[str]) -> str | None:
    """The infinitive of a participle without ``ge-`` (besproken, betaald, uitbetaald), or None.

    Strong ones come from the table (be|sproken is be + gesproken). Weak ones only in ``-d``:
    an inseparable verb's participle in ``-t`` is also its present tense (verstrekt,
    verdwijnt), which then meets the infinitive used as a noun ("het verdwijnen"). The weak
    verb must have a past tense in ``-de`` (nouns have none) and the participle must be a
    lexicon word.
    """
    strong, _ = strong_participles()
    for particle in ("", *_SEPARABLE):
        if not word.startswith(particle):
            continue
        rest = word[len(particle) :]
        for prefix in _INSEPARABLE:
            if not rest.startswith(prefix) or len(rest) < len(prefix) + 4:
                continue
            infinitive = strong.get("ge" + rest[len(prefix) :])
            if infinitive is not None:
                if particle + prefix + infinitive in lexicon:
                    return particle + prefix + infinitive
                continue
            if not rest.endswith("d") or rest not in lexicon:
                continue
            for stem, infinitive in _weak_readings(rest):
                if stem + "de" in lexicon and infinitive in lexicon and particle + infinitive in lexicon:
                    return particle + infinitive
    return None


def _present_base(word: str, lexicon: Container[str]) -> str | None:
    """The infinitive of a separable verb's present tense (bijdraagt, plaatsvindt), or None.

    Only the ``stem + t`` reading: a particle before a stem ending in ``t`` is mostly a noun
    (omzet, inzet, opzet), not the present of omzetten. The particle verb and the bare
    present (draagt) must be lexicon words.
    """
    for particle in _SEPARABLE:
        if word.startswith(particle) and len(word) >= len(particle) + 4:
            core = word[len(particle) :]
            if core not in lexicon:
                continue
            for infinitive in _infinitives(core[:-1]):
                if particle + infinitive in lexicon:
                    return particle + infinitive
    return None


def _simple_present_base(word: str, lexicon: Container[str]) -> str | None:
    """The infinitive of a present tense in ``-t`` (trekt, draagt, verbiedt, concludeert) of a
    strong verb or an -eren verb, or None.

    Only those two: they are verbs by the table or by their ending. Another weak verb's ``-t``
    form is as often a noun's (mest is no present of messen, plant none of plannen); the
    frequent ones are in .stemming's curated VERB_FORMS.
    """
    stem = word[:-1]
    for infinitive in _infinitives(stem):
        if infinitive in lexicon and (word.endswith("eert") or _is_strong(infinitive)):
            return infinitive
    return None


def _is_strong(infinitive: str) -> bool:
    """Whether ``infinitive`` is a strong verb of the table, or one with a prefix or particle
    (bespreken, voortkomen)."""
    verbs = _strong_infinitives()
    return infinitive in verbs or any(
        infinitive.startswith(prefix) and infinitive[len(prefix) :] in verbs for prefix in _PREFIXES
    )


@cache
def _strong_infinitives() -> frozenset[str]:
    return frozenset(strong_participles()[0].values()) | frozenset(strong_pasts()[0].values())


def _adjective(stem: str) -> Iterator[str]:
    """Adjectives whose comparative stem (``word`` minus -er) is ``stem``: hog → hoog."""
    if len(stem) >= 3 and stem[-1] == stem[-2] and stem[-1] not in _VOWELS:
        yield stem[:-1]  # dikk → dik
    elif _single_vowel_before(stem):
        # The comparative's open syllable writes a long vowel single: hog(er) → hoog.
        opened = stem[:-1] + stem[-2] + stem[-1]
        yield opened[:-1] + {"v": "f", "z": "s"}.get(opened[-1], opened[-1])
    elif stem[-1:] in ("v", "z"):
        yield stem[:-1] + ("f" if stem[-1] == "v" else "s")  # liev(er) → lief
    else:
        yield stem


def _inflected(adjective: str) -> str:
    """The adjective with -e (hoog → hoge, dik → dikke, lief → lieve, kort → korte)."""
    if adjective[-3:-1] in _DOUBLE_VOWELS:
        return adjective[:-3] + adjective[-2] + _voiced(adjective)[-1] + "e"
    if _single_vowel_before(adjective) and _syllables(adjective) == 1:
        return adjective + adjective[-1] + "e"
    return _voiced(adjective) + "e"


def _comparative(adjective: str) -> str:
    """The comparative of an adjective (hoog → hoger, kort → korter, zwaar → zwaarder)."""
    if adjective.endswith("r"):
        return adjective + "der"
    return _inflected(adjective)[:-1] + "er"


def _is_adjective(adjective: str, degree: str, lexicon: Container[str]) -> bool:
    """Whether the lexicon has the adjective, its -e form and the other degree (``degree``):
    nouns (kamer, beheer, ontvangst) lack one of them."""
    return len(adjective) >= 4 and adjective in lexicon and _inflected(adjective) in lexicon and degree in lexicon


def _degree_base(word: str, lexicon: Container[str]) -> str | None:
    """The adjective of a comparative (kortere, hoger, jongeren) or superlative (grootste), or None."""
    for ending in ("eren", "ere", "er"):
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            stem = word[: -len(ending)]
            # zwaar|der: after r the comparative inserts a d.
            if stem.endswith("rd") and _is_adjective(stem[:-1], stem[:-1] + "st", lexicon):
                return stem[:-1]
            for adjective in _adjective(stem):
                if _is_adjective(adjective, adjective + "st", lexicon):
                    return adjective
            return None
    if word.endswith("ste") and len(word) >= 7:
        adjective = word[:-3]
        if _is_adjective(adjective, _comparative(adjective), lexicon):
            return adjective
    return None


def _plural_base(word: str, lexicon: Container[str]) -> str | None:
    """The singular of a vowel plural in -es or -eaus (centrales, bureaus), or None."""
    if (len(word) >= 6 and word.endswith("es") and word[-3] not in _VOWELS) or word.endswith("eaus"):
        singular = word[:-1]
        if singular in lexicon:
            return singular
    return None


def _country(word: str) -> str | None:
    """The country of a country adjective, inflected or not (``europese`` → europees → europa)."""
    table = country_adjectives()
    if word in table:
        return table[word]
    if not word.endswith("e"):
        return None
    uninflected = word[:-1]
    if uninflected in table:
        return table[uninflected]
    # The inflection opens the last syllable, which then writes its long vowel once:
    # europees → europese, chinees → chinese.
    if _single_vowel_before(uninflected):
        return table.get(uninflected[:-1] + uninflected[-2:])
    return None


def _past_base(word: str, lexicon: Container[str]) -> str | None:
    """The infinitive of a strong verb's past after a prefix or particle (besprak, introk,
    overleed), of an -eren verb's past (investeerde) or of an inseparable weak verb's past in
    ``-de`` (betaalde), or None."""
    singulars, longest = _prefixed_pasts()
    for split in range(max(2, len(word) - longest), len(word) - 2):
        infinitive = singulars.get(word[split:])
        head = word[:split]
        if infinitive is not None and head in _PAST_HEADS and head + infinitive in lexicon:
            return head + infinitive
    for ending in ("eerde", "eerden"):
        if word.endswith(ending) and word[: -len(ending)] + "eren" in lexicon:
            return word[: -len(ending)] + "eren"
    if word.endswith(("dde", "dden")):
        return None  # besteedde, meldde: Porter gives them their verb's term as they are
    # An inseparable weak verb's past in -de is its participle's (betaalde, betaald → betalen),
    # which the participle rule proves a verb's.
    participle = word[:-1] if word.endswith("de") else word[:-2] if word.endswith("den") else ""
    return _inseparable_participle_base(participle, lexicon) if participle.endswith("d") else None


def weak_pasts(present: str, infinitive: str) -> tuple[str, ...]:
    """The simple past of a weak verb (``stelde``, ``stelden``), from its present in ``-t``
    (``stelt``) and its infinitive; none when the present is no stem + ``t`` of that
    infinitive, the verb is strong (vraagt: vroeg) or the lexicon lacks the past. The ending
    is ``-te`` after a voiceless consonant ('t kofschip: ``werkte``), else ``-de``."""
    stem = present[:-1]
    if not present.endswith("t") or infinitive not in _infinitives(stem) or _is_strong(infinitive):
        return ()
    past = stem + ("te" if stem[-1] in "tkfsp" or stem.endswith("ch") else "de")
    lexicon = lexicon_lookup()
    return (past, past + "n") if lexicon and past in lexicon else ()


def base_form(word: str) -> str | None:
    """The base form ``word`` is an inflection of (infinitive, adjective, singular, country),
    or None when it is none of those (then it is stemmed as it is).

    ``word`` is folded and lowercase. The caller stems the base form as it is, without a
    second base-form step, so that the word and its base form get the same term.
    """
    base = _base_form(word)
    return None if base == word else base


def _base_form(word: str) -> str | None:
    """``base_form`` without the check that the base differs from ``word``."""
    if word in NOT_INFLECTED or not word.isalpha():
        return None
    pasts, prefixed_only = strong_pasts()
    if word in pasts:  # the table's forms whatever their length (ging, nam, zei)
        return None if word in prefixed_only else pasts[word]
    if len(word) < 5:
        return None
    country = _country(word)
    if country is not None:
        return country
    lexicon = lexicon_lookup()
    if not lexicon:
        return None
    past = _past_base(word, lexicon)
    if past is not None:
        return past
    last = word[-1]
    if last not in "tdnres":
        return None
    if last in "dtn":
        base = _participle_base(word, lexicon)
        if base is None and last == "t":
            base = _present_base(word, lexicon) or _simple_present_base(word, lexicon)
        if base is not None or not word.endswith("eren"):
            return base
    if word.endswith(("er", "ere", "eren", "ste")):
        return _degree_base(word, lexicon)
    if last == "s":
        return _plural_base(word, lexicon)
    return None


@lru_cache(maxsize=20_000)
def particle_verb(particle: str, form: str) -> str | None:
    """The separable verb that ``particle`` makes with ``form``, a form of its verb written
    apart from it (``trekt`` … ``in``, ``nam`` … ``op``, ``passen`` … ``aan``, ``in te
    trekken``), or None.

    ``particle`` + the verb's infinitive must be a lexicon word, and so must its participle
    (``ingetrokken``, ``aangepast``, ``terugbetaald``): a noun that looks like a particle verb
    (``voorraden``, ``tegenmaatregelen``) has none. ``form`` may be the infinitive or plural,
    a present (``neem``, ``neemt``), a weak past (``paste``, ``pasten``) or a strong past from
    the table (``nam``, ``namen``).
    """
    lexicon = lexicon_lookup()
    if not lexicon or len(form) < 2 or not form.isalpha():
        return None
    for infinitive, stem in _finite_readings(form):
        verb = particle + infinitive
        if verb in lexicon and _has_participle(particle, infinitive, stem, lexicon):
            return verb
    return None


@lru_cache(maxsize=4_096)
def particle_verb_of(word: str) -> str | None:
    """The separable verb of which ``word`` (folded) is a form written as one word
    (``intrekken``, ``ingetrokken``, ``intrekt``), or None (``opvang`` is a noun)."""
    if not any(word[:length] in SEPARABLE_PARTICLES for length in _PARTICLE_LENGTHS):
        return None
    base = base_form(word) or word
    for length in _PARTICLE_LENGTHS:
        particle = base[:length]
        if particle in SEPARABLE_PARTICLES and len(base) > length + 2:
            if particle_verb(particle, base[length:]) == base:
                return base
    return None


def _finite_readings(form: str) -> Iterator[tuple[str, str | None]]:
    """(infinitive, stem) readings of a verb form; the stem is None where the form gives none
    (the infinitive itself, a strong past)."""
    past = strong_pasts()[0].get(form) or _SHORT_PRESENTS.get(form)
    if past is not None:
        yield past, None
    if form.endswith("en") and len(form) > 3:
        yield form, None
    stems = [form[:-1]] if form.endswith("t") else []
    stems.append(form)
    if form.endswith(("de", "te")):
        stems.append(form[:-2])
    elif form.endswith(("den", "ten")):
        stems.append(form[:-3])
    for stem in stems:
        if stem.endswith(("aai", "ooi", "oei")):  # draai, gooi, bloei: the rules stop at a vowel
            yield stem + "en", stem
        for infinitive in _infinitives(stem):
            yield infinitive, stem


#: The present of short irregular verbs, which the spelling rules cannot rebuild (gaat … door,
#: staat … toe, ziet … af, doet … mee).
_SHORT_PRESENTS = {
    form: infinitive
    for infinitive, forms in {
        "gaan": "ga gaat",
        "staan": "sta staat",
        "slaan": "sla slaat",
        "zien": "zie ziet",
        "doen": "doe doet",
        "hebben": "heb hebt heeft",
        "komen": "kom komt",
    }.items()
    for form in forms.split()
}


def _has_participle(particle: str, infinitive: str, stem: str | None, lexicon: Container[str]) -> bool:
    """Whether the lexicon has a participle of ``particle`` + ``infinitive``: a strong one from
    the table (``in|getrokken``) or ``ge-`` before the infinitive (``toe|ge|laten``,
    ``door|ge|gaan``), or a weak one with or without ``ge-`` (``aan|ge|past``,
    ``terug|betaald``: no ``ge-`` after an inseparable prefix; after a stem in -t or -d no
    ending is added: ``in|ge|zet``)."""
    if particle + "ge" + infinitive in lexicon or any(
        particle + participle in lexicon for participle in _strong_participles_of().get(infinitive, ())
    ):
        return True
    ge = "" if infinitive.startswith(_INSEPARABLE_PREFIXES) else "ge"
    for weak_stem in (stem,) if stem is not None else _stems(infinitive):
        for ending in ("", "d", "t") if weak_stem[-1] in "dt" else ("d", "t"):
            if particle + ge + weak_stem + ending in lexicon:
                return True
    return False


# The prefixes that never take ge- in a participle (betaald, verbeterd, ontvangen, erkend,
# gebruikt): the inseparable ones that are no particle too, and ge- itself.
_INSEPARABLE_PREFIXES = (*(prefix for prefix in _INSEPARABLE if prefix not in _SEPARABLE), "ge")


@cache
def _strong_participles_of() -> dict[str, tuple[str, ...]]:
    """Infinitive → its strong participles (the table read the other way)."""
    found: dict[str, list[str]] = {}
    for participle, infinitive in strong_participles()[0].items():
        found.setdefault(infinitive, []).append(participle)
    return {infinitive: tuple(participles) for infinitive, participles in found.items()}


def _stems(infinitive: str) -> Iterator[str]:
    """The stems whose infinitive ``infinitive`` is (passen → pas, maken → maak, leven → leef)."""
    if not infinitive.endswith("en") or len(infinitive) < 4:
        return
    base = infinitive[:-2]
    candidates = {base, base[:-1], base[:-1] + base[-2] + base[-1]}
    candidates |= {c[:-1] + {"v": "f", "z": "s"}[c[-1]] for c in list(candidates) if c and c[-1] in "vz"}
    for candidate in candidates:
        if len(candidate) >= 2 and infinitive in _infinitives(candidate):
            yield candidate
