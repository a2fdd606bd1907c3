"""Stemming: one folded word → its index term.

Override map → ``dutch_porter`` (Martin Porter's Dutch algorithm; Snowball 3's ``dutch`` is
Kraaij-Pohlmann, which merges gemeente/mening, geweld/wel, gebied/bieden) → undoubling of a final
double consonant (plann → plan) and final devoicing (brieven → briev → brief, huizen → huis;
effectieve → effectief). Before Porter, vowel-plural ``-ies``/``-ees``/``-tes`` lose the ``s``
(provincies → provincie). The override map keeps the corpus's false friends apart
(wet/weten, reden/reeds, overheid/over, nieuws/nieuwe, mens/men) and joins a few irregular
plurals (leden → lid, kinderen → kind); a verb-form map sends frequent verb forms that Porter
leaves alone to their infinitive's stem (gemaakt/maakt → maken, gesteld → stellen). Other
inflected forms get the term of their base form (:mod:`.morphology`: ``afgevoerd`` → afvoeren,
``kortere`` → kort, ``Oekraïense`` → oekraine). Function words are not stemmed (Porter would
merge ``geen``/``gen``, ``eens``/``een``).

snowballstemmer uses PyStemmer transparently when it is installed.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import snowballstemmer

from kvsearch.analysis.morphology import base_form, weak_pasts

__all__ = ["FUNCTION_WORDS", "IRREGULAR_PLURALS", "OVERRIDES", "STEMMER_NAME", "VERB_FORMS", "make_stem", "stem"]

STEMMER_NAME = "dutch_porter"

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
    "gezet": "zetten",
}
# … and the simple past of its weak verbs (stelde, werkten), made from their present.
VERB_FORMS.update({past: verb for form, verb in list(VERB_FORMS.items()) for past in weak_pasts(form, verb)})

# Plurals whose head changes its vowel or stem (schip/schepen): a hyphenated compound ending in
# one (NGO-schepen) gets the whole word's term of its singular (NGO-schip).
IRREGULAR_PLURALS: dict[str, str] = {
    "leden": "lid",
    "steden": "stad",
    "schepen": "schip",
    "huizen": "huis",
    "bedrijven": "bedrijf",
    "kinderen": "kind",
    "eieren": "ei",
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


def make_stem(stemmer: object, base_form: Callable[[str], str | None] | None = None) -> Callable[[str], str]:
    """The ``stem`` function of the chain, built on one Snowball stemmer (see ``stem``).

    ``base_form`` maps an inflected word to the word it is a form of (:func:`.morphology.base_form`),
    which is then stemmed instead; None for a chain without it.
    """
    stem_word = stemmer.stemWord  # type: ignore[attr-defined]

    @lru_cache(maxsize=200_000)
    def stem(word: str) -> str:
        """Return the index term for one folded, lowercase word.

        Order: override map; verb-form map (``gemaakt`` → stem of ``maken``); function words,
        words of < 3 letters and words with digits unchanged; base form (``afgevoerd`` →
        ``afvoeren``, ``kortere`` → ``kort``), whose own term it gets; vowel-plural ``s`` rule
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
        if base_form is not None:
            base = base_form(word)
            if base is not None:
                # The base is an infinitive, adjective, singular or country: never a form the
                # base-form step changes again, so the term is the one the base gets itself.
                return OVERRIDES.get(base) or stem_plain(base)
        return stem_plain(word)

    def stem_plain(word: str) -> str:
        """``stem`` after the maps and the base-form step."""
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
        elif s.endswith("v") and word.endswith(("ve", "ves")):
            # The same for a singular in -ve, so it meets its plural in -ven: uitgave and
            # uitgaven → uitgaf, effectieve → effectief, halve → half. Not -ze: wijze (manner)
            # would meet wijzen (to point), as wijs.
            s = s[:-1] + "f"
        return s

    return stem


#: The shipped stemmer: override map → base forms → ``dutch_porter`` → undoubling/devoicing
#: (see ``make_stem``).
stem = make_stem(_STEMMER, base_form)
