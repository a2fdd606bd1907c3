"""Verb forms, comparatives, vowel plurals and country adjectives (kvsearch.analysis.morphology).

Word pairs use the rule of ``tests/data/word_pairs.json``: a must-match pair needs every query
term of the first word among the index terms of the second; a must-not-match pair may share
no term. Then a real index of a small document shows that the CLI finds the forms and
highlights them, and that the hard negatives find nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kvsearch import analysis
from kvsearch.analysis import terms
from kvsearch.analysis.morphology import (
    NOT_INFLECTED,
    base_form,
    country_adjectives,
    strong_participles,
    strong_pasts,
    weak_pasts,
)
from kvsearch.searcher import highlight_spans
from tests.conftest import run_cli

# Forms a user expects to meet, in both directions.
MATCH_BOTH_WAYS = [
    # separable verbs: participle and infinitive
    ("intrekken", "ingetrokken"),
    ("afvoeren", "afgevoerd"),
    ("bijspringen", "bijgesprongen"),
    ("toekennen", "toegekend"),
    ("uitvoeren", "uitgevoerd"),
    ("opnemen", "opgenomen"),
    ("vaststellen", "vastgesteld"),
    ("uitvallen", "uitgevallen"),
    ("indienen", "ingediend"),
    # strong verbs and -eren verbs without a particle
    ("springen", "gesprongen"),
    ("vinden", "gevonden"),
    ("organiseren", "georganiseerd"),
    ("gebeuren", "gebeurd"),
    # present tense of separable verbs
    ("bijdragen", "bijdraagt"),
    ("plaatsvinden", "plaatsvindt"),
    ("aangeven", "aangeeft"),
    ("deelnemen", "deelneemt"),
    # participles of inseparable verbs (no ge-), also after a particle
    ("betalen", "betaald"),
    ("uitbetalen", "uitbetaald"),
    ("erkennen", "erkend"),
    ("ontwikkelen", "ontwikkeld"),
    ("ondersteunen", "ondersteund"),
    ("bespreken", "besproken"),
    ("verbieden", "verboden"),
    ("bieden", "geboden"),
    ("zetten", "gezet"),
    # the simple past: strong verbs (also after a prefix), -eren verbs, inseparable and
    # curated weak verbs
    ("spreken", "sprak"),
    ("komen", "kwamen"),
    ("besluiten", "besloot"),
    ("bespreken", "besprak"),
    ("intrekken", "introk"),
    ("overlijden", "overleed"),
    ("investeren", "investeerde"),
    ("betalen", "betaalde"),
    ("stellen", "stelde"),
    ("werken", "werkten"),
    # a plural after a particle stays its noun's, not a past
    ("afspraak", "afspraken"),
    ("uitspraak", "uitspraken"),
    ("opname", "opnamen"),
    # a singular in -ve meets its plural in -ven
    ("uitgave", "uitgaven"),
    ("reserve", "reserves"),
    # vowel plurals
    ("centrale", "centrales"),
    ("bureau", "bureaus"),
    ("niveau", "niveaus"),
    ("kolencentrale", "kolencentrales"),
    # comparatives and superlatives
    ("kort", "kortere"),
    ("hoog", "hogere"),
    ("hoog", "hoger"),
    ("groot", "grootste"),
    ("zwaar", "zwaardere"),
    ("belangrijk", "belangrijkste"),
    # country adjectives
    ("Azerbeidzjan", "Azerbeidzjaanse"),
    ("Oekraïne", "Oekraïense"),
    ("Rusland", "Russische"),
    ("Afghanistan", "Afghaanse"),
    ("Turkije", "Turkse"),
    ("Europa", "Europese"),
    ("China", "Chinese"),
    ("Frankrijk", "Franse"),
    ("Thailand", "Thaise"),
    # hyphenated compounds with a plural head, and plurals after an apostrophe
    ("IT-beheerder", "IT-beheerders"),
    ("NGO-schip", "NGO-schepen"),
    ("zzp'er", "zzp’ers"),
    ("ME’er", "ME'ers"),
]

# Query word → text word, one way: the text's hyphen parts are indexed, a query is one term.
MATCH_ONE_WAY = [
    ("opleidingen", "cryptografie-opleiding"),
    ("cryptografie", "cryptografie-opleiding"),
    ("beheerder", "IT-beheerders"),
]

# Look-alikes that must stay apart.
MUST_NOT_MATCH = [
    ("gebied", "bieden"),
    ("gebieden", "bieden"),
    ("gevel", "vel"),
    ("getal", "tal"),
    ("geluk", "luk"),
    ("begroting", "groot"),
    ("gewoon", "wonen"),
    ("vergeten", "eten"),
    ("gezond", "zonnen"),
    ("geacht", "acht"),
    ("gedaagd", "dag"),
    ("geoordeeld", "oordeel"),
    ("gevallen", "vallen"),
    ("geleden", "lijden"),
    ("gedragen", "dragen"),
    ("gevolgen", "volgen"),
    ("gebeurd", "beurs"),
    ("geslacht", "slachten"),
    ("ingewikkeld", "inwikkelen"),
    ("water", "wat"),
    ("kamer", "kam"),
    ("moeder", "moed"),
    ("rechter", "recht"),
    ("leger", "leeg"),
    ("eerder", "eer"),
    ("echter", "echt"),
    ("ouder", "oud"),
    ("achtste", "acht"),
    ("beheerste", "beheer"),
    ("verband", "verbannen"),
    ("bekend", "bekennen"),
    ("proces", "proce"),
    ("gas", "ga"),
    # participles without ge- that are words of their own, and particle + noun
    ("verslagen", "verslaan"),
    ("verleden", "verlijden"),
    ("verkeerd", "verkeren"),
    ("verenigd", "veren"),
    ("toekomst", "toekomen"),
    ("gebod", "bieden"),
    # the language and first name Frans is not France
    ("Frans", "Frankrijk"),
    # a past that is also a common word of its own stays that word
    ("week", "wijken"),
    ("reden", "rijden"),
    ("namen", "nemen"),
    ("vroeg", "vragen"),
    ("sloot", "sluiten"),
    # no devoicing after -ze: wijze (manner) is not wijzen (to point)
    ("wijze", "wijzen"),
]


def _matches(query_word: str, text_word: str) -> bool:
    query = set(terms(query_word, query=True))
    return bool(query) and query <= set(terms(text_word))


@pytest.mark.parametrize(("one", "other"), MATCH_BOTH_WAYS)
def test_forms_meet_both_ways(one: str, other: str) -> None:
    assert _matches(one, other), f"{one!r} {terms(one, query=True)} does not find {other!r} {terms(other)}"
    assert _matches(other, one), f"{other!r} {terms(other, query=True)} does not find {one!r} {terms(one)}"


@pytest.mark.parametrize(("query_word", "text_word"), MATCH_ONE_WAY)
def test_query_word_finds_text_word(query_word: str, text_word: str) -> None:
    assert _matches(query_word, text_word), (terms(query_word, query=True), terms(text_word))


@pytest.mark.parametrize(("one", "other"), MUST_NOT_MATCH)
def test_look_alikes_stay_apart(one: str, other: str) -> None:
    for query_word, text_word in ((one, other), (other, one)):
        shared = set(terms(query_word, query=True)) & set(terms(text_word))
        assert not shared, f"{query_word!r} and {text_word!r} share {sorted(shared)}"


def test_participles_without_ge_find_the_right_verb() -> None:
    """A stressed syllable after an inseparable prefix doubles its consonant (be|stel →
    bestellen, not bestelen "rob"); an unstressed one does not (ontwikkel → ontwikkelen). The
    ``-t`` forms are also the present tense and stay as they are."""
    assert base_form("besteld") == "bestellen"
    assert base_form("voorspeld") == "voorspellen"
    assert base_form("verlegd") == "verleggen"
    assert base_form("ontwikkeld") == "ontwikkelen"
    assert base_form("verbeterd") == "verbeteren"
    assert base_form("terugbetaald") == "terugbetalen"
    assert base_form("verstrekt") is None
    assert base_form("verslagen") is None


def test_the_present_of_a_strong_or_eren_verb_finds_the_verb() -> None:
    """``trekt``, ``draagt``, ``concludeert`` are verbs by the table of strong verbs or by their
    ending; another word in -t is as often a noun (``plant``, ``kaart``) and stays as it is."""
    assert base_form("trekt") == "trekken"
    assert base_form("draagt") == "dragen"
    assert base_form("verbiedt") == "verbieden"
    assert base_form("bespreekt") == "bespreken"
    assert base_form("concludeert") == "concluderen"
    assert base_form("verdwijnt") == "verdwijnen"  # strong by the table of pasts (verdween)
    for word in ("plant", "kaart", "buurt", "geert", "betaalt"):
        assert base_form(word) is None, word


def test_the_simple_past_finds_the_verb() -> None:
    """A strong verb's past from the table, whatever its length; a form that is also a common
    word only after a prefix; after a particle only the singular (a plural there is as often a
    noun's); a weak past only for -eren verbs, inseparable verbs whose participle the lexicon
    proves, and the curated verbs."""
    assert base_form("ging") == "gaan"
    assert base_form("zei") == "zeggen"
    assert base_form("kwamen") == "komen"
    assert base_form("week") is None and base_form("reden") is None
    assert base_form("overleed") == "overlijden"
    assert base_form("introk") == "intrekken"
    assert base_form("toegaf") == "toegeven"
    assert base_form("afspraken") is None
    assert base_form("opnamen") is None
    assert base_form("reageerden") == "reageren"
    assert base_form("verhoogde") == "verhogen"
    assert base_form("korte") is None  # an adjective, no past of korten
    assert base_form("weigerde") is None  # a weak verb outside the curated map


def test_weak_pasts_are_made_from_the_present() -> None:
    assert weak_pasts("stelt", "stellen") == ("stelde", "stelden")
    assert weak_pasts("werkt", "werken") == ("werkte", "werkten")
    assert weak_pasts("zorgt", "zorgen") == ("zorgde", "zorgden")
    assert weak_pasts("vraagt", "vragen") == ()  # strong: vroeg
    assert weak_pasts("gesteld", "stellen") == ()  # a participle, not a present


def test_only_a_real_compound_takes_its_singular_head() -> None:
    """NGO-schepen's whole word gets the term of NGO-schip; ge-leden, a word broken at a line
    end, keeps the term of geleden (ago), not one of "gelid"."""
    assert terms("NGO-schepen", query=True) == terms("NGO-schip", query=True) == ["ngoschip"]
    assert terms("ge-leden", query=True) == terms("geleden", query=True)
    assert terms("ge-leden", query=True) != terms("gelid", query=True)


def test_base_forms_are_not_changed_again() -> None:
    """``stem`` stems a base form without asking for its base form again: it must have none."""
    words = [w for pair in MATCH_BOTH_WAYS for w in pair] + ["ingetrokken", "jongeren", "centrales", "terugbetaald"]
    for word in words:
        base = base_form(analysis.fold(word))
        if base is not None:
            assert base_form(base) is None, (word, base, base_form(base))


def test_the_data_files_are_read() -> None:
    strong, prefixed_only = strong_participles()
    assert strong["gesprongen"] == "springen"
    assert "gevallen" in prefixed_only and "gesprongen" not in prefixed_only
    pasts, past_prefixed_only = strong_pasts()
    assert pasts["kwamen"] == "komen" and pasts["verdween"] == "verdwijnen"
    assert "week" in past_prefixed_only and "kwam" not in past_prefixed_only
    assert country_adjectives()["oekraiens"] == "oekraine"
    # The words kept whole are folded, lowercase and not themselves given a base form.
    assert all(w == analysis.fold(w) for w in NOT_INFLECTED)
    assert base_form("gezond") is None and base_form("rechter") is None


def test_particle_verbs_need_the_lexicon() -> None:
    """A particle + ge- word is only a participle when the particle verb is a word."""
    assert base_form("afgevoerd") == "afvoeren"
    assert base_form("opgebrrd") is None
    assert base_form("ongeveer") is None  # "on" is not a separable particle


def test_highlighting_marks_the_other_forms() -> None:
    text = "De vergunning is ingetrokken; de Oekraïense centrales leveren kortere termijnen."
    for query, word in (
        ("intrekken", "ingetrokken"),
        ("Oekraïne", "Oekraïense"),
        ("centrale", "centrales"),
        ("kort", "kortere"),
    ):
        spans = highlight_spans(text, set(terms(query, query=True)))
        assert [text[a:b] for a, b in spans] == [word], query


# ---------------------------------------------------------------------------------------------
# A real index
# ---------------------------------------------------------------------------------------------

DOCUMENT = """\
## Vragen gesteld door de leden der Kamer, met de daarop door de regering gegeven antwoorden

### 9001

Vragen van het lid **Jansen** (SP) aan de Minister van Economische Zaken en Klimaat over \
*energie en onderwijs* (ingezonden 29 januari 2024).

Antwoord van Minister **Helder** (Economische Zaken en Klimaat) (ontvangen 16 februari 2024).

#### Vraag 1

Klopt het dat de vergunning van de fabriek is ingetrokken en dat het afval nog niet is afgevoerd?

#### Antwoord 1

Ja. De provincie heeft subsidie toegekend aan de buurman die is bijgesprongen.

#### Vraag 2

Hoeveel kolencentrales staan er nog open, en welke bureaus adviseren daarover?

#### Antwoord 2

Er worden kortere termijnen en hogere boetes verwacht voor Oekraïense en Azerbeidzjaanse leveranciers.

#### Vraag 3

Zijn er opleidingen cryptografie voor IT-beheerders?

#### Antwoord 3

Ja, er is een cryptografie-opleiding voor elke IT-beheerder.

#### Vraag 4

Is het gebied achter de gevel gezond, of is dat getal vergeten?

#### Antwoord 4

Dat is gewoon een begroting. Het Rijk draagt de kosten en concludeert dat de regeling het verbiedt.

#### Vraag 5

Zijn de zzp’ers op de NGO-schepen uitbetaald, en is dat met de Europese Commissie besproken?

#### Antwoord 5

Ja, zodra het overleg plaatsvindt en de Franse regering bijdraagt. De verslagen zijn bekend.

#### Vraag 6

Waarom besloot de minister dat de vergunning niet werd verlengd, toen de inspectie de fabriek bezocht?

#### Antwoord 6

De inspecteurs kwamen vorige week en spraken met de directie, die de fout toegaf. Om die reden
is de vergunning niet verlengd.
"""


@pytest.fixture(scope="module")
def morph_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("morph")
    (root / "corpus" / "seed").mkdir(parents=True)
    (root / "corpus" / "seed" / "ah-tk-20232024-9001.md").write_text(DOCUMENT, encoding="utf-8")
    done = run_cli("index", "--corpus", str(root / "corpus"), "--index", str(root / "index"))
    assert done.returncode == 0, done.stderr
    return root / "index"


def _hits(query: str, index: Path) -> list[dict[str, object]]:
    done = run_cli(query, "--index", str(index), "--json")
    assert done.returncode in (0, 1), done.stderr
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


@pytest.mark.parametrize(
    ("query", "passage"),
    [
        ("intrekken afvoeren", "ah-tk-20232024-9001#1"),
        ("toekennen bijspringen", "ah-tk-20232024-9001#1"),
        ("centrale bureau", "ah-tk-20232024-9001#2"),
        ("kort hoog Oekraïne Azerbeidzjan", "ah-tk-20232024-9001#2"),
        ("cryptografie-opleiding", "ah-tk-20232024-9001#3"),
        ("opleiding cryptografie IT-beheerder", "ah-tk-20232024-9001#3"),
        ("zzp'er NGO-schip uitbetalen", "ah-tk-20232024-9001#5"),
        ("Europa bespreken", "ah-tk-20232024-9001#5"),
        ("plaatsvinden Frankrijk bijdragen", "ah-tk-20232024-9001#5"),
        ("dragen concluderen verbieden", "ah-tk-20232024-9001#4"),
        ("besluiten komen spreken toegeven", "ah-tk-20232024-9001#6"),
    ],
)
def test_the_cli_finds_and_highlights_other_forms(morph_index: Path, query: str, passage: str) -> None:
    hits = _hits(query, morph_index)
    assert [h["passage_id"] for h in hits][:1] == [passage]
    highlights = hits[0]["highlights"]
    assert isinstance(highlights, dict)
    assert highlights["question"] or highlights["answer"]


@pytest.mark.parametrize(
    "query",
    ["bieden", "vel", "tal", "eten", "zonnen", "groot", "wonen", "verslaan", "bekennen", "Frans", "wijken", "rijden"],
)
def test_the_cli_does_not_find_look_alikes(morph_index: Path, query: str) -> None:
    assert _hits(query, morph_index) == []
