"""What Dutch users type in filters: party and ministry abbreviations and their full names.

Pure Python. The indexer stores every alias of a value; the searcher folds what the user
typed the same way, so ``partij:GL-PvdA`` and ``ministerie:VWS`` find what the text spells out.
"""

from __future__ import annotations

import re
from functools import lru_cache

from kvsearch.analysis.folding import fold

#: Party aliases: each group is one party, first name canonical.
PARTIES = [
    ["GroenLinks-PvdA", "GL-PvdA", "GLPvdA", "GL/PvdA", "GroenLinks/PvdA"],
    ["Partij van de Arbeid", "PvdA"],
    ["GroenLinks", "GL"],
    ["Nieuw Sociaal Contract", "NSC"],
    ["ChristenUnie", "CU"],
    ["Partij voor de Dieren", "PvdD"],
    ["Forum voor Democratie", "FVD", "FvD"],
    ["BoerBurgerBeweging", "BBB"],
    ["Staatkundig Gereformeerde Partij", "SGP"],
    ["Socialistische Partij", "SP"],
    ["Partij voor de Vrijheid", "PVV"],
    ["Volkspartij voor Vrijheid en Democratie", "VVD"],
    ["Democraten 66", "D66"],
    ["Christen-Democratisch Appèl", "CDA"],
    ["DENK"],
    ["Volt"],
    ["JA21"],
    ["50PLUS"],
    ["Groep Van Haga", "BVNL"],
]

#: Ministries by abbreviation, with the portfolios the documents name (minister's portfolio in
#: brackets after their name, or "Minister van/voor …").
MINISTRIES = {
    "AZ": ["Algemene Zaken", "Minister-President"],
    "BZK": [
        "Binnenlandse Zaken en Koninkrijksrelaties",
        "Digitalisering en Koninkrijksrelaties",
        "Koninkrijksrelaties en Digitalisering",
        "Herstel Toeslagen",
    ],
    "BZ": [
        "Buitenlandse Zaken",
        "Buitenlandse Handel en Ontwikkelingshulp",
        "Buitenlandse Handel en Ontwikkelingssamenwerking",
    ],
    "BHO": ["Buitenlandse Handel en Ontwikkelingshulp", "Buitenlandse Handel en Ontwikkelingssamenwerking"],
    "DEF": ["Defensie"],
    "EZK": ["Economische Zaken en Klimaat", "Klimaat en Energie", "Mijnbouw"],
    "EZ": ["Economische Zaken", "Economische Zaken en Klimaat"],
    "KGG": ["Klimaat en Groene Groei"],
    "FIN": ["Financiën", "Fiscaliteit, Belastingdienst en Douane", "Toeslagen en Douane", "Herstel en Toeslagen"],
    "IenW": ["Infrastructuur en Waterstaat", "Infrastructuur en Milieu"],
    "JenV": ["Justitie en Veiligheid", "Veiligheid en Justitie", "Rechtsbescherming", "Migratie"],
    "LNV": [
        "Landbouw, Natuur en Voedselkwaliteit",
        "Landbouw, Visserij, Voedselzekerheid en Natuur",
        "Natuur en Stikstof",
    ],
    "OCW": ["Onderwijs, Cultuur en Wetenschap", "Primair en Voortgezet Onderwijs", "Cultuur en Media"],
    "SZW": ["Sociale Zaken en Werkgelegenheid", "Armoedebeleid, Participatie en Pensioenen"],
    "VWS": [
        "Volksgezondheid, Welzijn en Sport",
        "Langdurige Zorg en Sport",
        "Medische Zorg",
        "Medische Zorg en Sport",
        "Jeugd, Preventie en Sport",
    ],
    "AenM": ["Asiel en Migratie"],
    "VRO": ["Volkshuisvesting en Ruimtelijke Ordening", "Wonen en Ruimtelijke Ordening"],
}


@lru_cache(maxsize=65_536)
def key(text: str) -> str:
    """The folded form a filter value is stored and looked up under (cached: every passage
    of a build looks up its document's names, parties and ministries again)."""
    return " ".join(re.sub(r"[^\w\s-]", " ", fold(text)).split())


def party_terms(party: str | None) -> list[str]:
    """All names a party is known by (folded), or the party's own name when unknown."""
    if not party:
        return []
    wanted = key(party)
    for group in PARTIES:
        if wanted in {key(name) for name in group}:
            return list(dict.fromkeys(key(name) for name in group))
    return [wanted]


def ministry_terms(portfolio: str | None) -> list[str]:
    """Abbreviations and full names for a portfolio as printed ("Financiën – Fiscaliteit …")."""
    if not portfolio:
        return []
    out = []
    for part in re.split(r"\s+[–—-]\s+", portfolio):
        wanted = key(part)
        out.append(wanted)
        for abbreviation, names in MINISTRIES.items():
            if wanted in {key(n) for n in names}:
                out.append(key(abbreviation))
                out.extend(key(n) for n in names[:1])
    return list(dict.fromkeys(out))


def is_listed(kind: str, term: str) -> bool:
    """True when ``term`` (folded) names a party or ministry of the lists above."""
    if kind == "party":
        return term in _PARTIES or term in _PARTY_ALIASES
    return term in _MINISTRIES or term in _MINISTRY_ALIASES


def label_of(kind: str, term: str) -> str:
    """The name a filter panel shows for ``term``, also for an alias ("gl pvda" → GL-PvdA)."""
    label = facet_label(kind, term)
    if label:
        return label
    if kind == "party":
        group = next(group for group in PARTIES if term in {key(name) for name in group})
        return _PARTIES[key(group[0])]
    return next(abbreviation for abbreviation, names in MINISTRIES.items() if term in {key(n) for n in names})


#: Initials before a name: "W.S. ", "Th. ", "A.-M. ".
_INITIALS = re.compile(r"^(?:[A-Z][a-z]{0,2}\.\s*(?:-\s*)?)+")


def without_initials(name: str) -> str:
    """ "W.S. van Haga" → "van Haga": the official metadata writes askers with their initials,
    the documents' text mostly without, and both name one person."""
    return _INITIALS.sub("", name.strip()).strip() or name.strip()


def name_terms(name: str | None) -> list[str]:
    """A person's name, the name without initials, and each of its words, so ``indiener:Dijk``
    finds "Inge van Dijk" and ``indiener:"van Haga"`` finds "W.S. van Haga" as well as "Van Haga"."""
    if not name:
        return []
    whole = key(name)
    words = [w for w in re.split(r"[\s-]+", whole) if len(w) > 2 and w not in {"van", "der", "den", "de"}]
    return list(dict.fromkeys([whole, key(without_initials(name)), *words]))


def _canonical_labels() -> tuple[dict[str, str], set[str], dict[str, str], set[str]]:
    """Per known party and ministry the one indexed term to count, with the short name a filter
    panel shows (VVD, GroenLinks-PvdA; VWS); every other alias is skipped."""
    parties = {key(group[0]): group[1] if len(group) > 1 and len(group[0]) > 12 else group[0] for group in PARTIES}
    party_aliases = {key(name) for group in PARTIES for name in group} - set(parties)
    ministries = {key(abbreviation): abbreviation for abbreviation in MINISTRIES}
    ministry_aliases = {key(n) for names in MINISTRIES.values() for n in names} - set(ministries)
    return parties, party_aliases, ministries, ministry_aliases


_PARTIES, _PARTY_ALIASES, _MINISTRIES, _MINISTRY_ALIASES = _canonical_labels()


def facet_label(kind: str, term: str) -> str | None:
    """The name a filter panel shows for an indexed party or ministry term, or None for an
    alias (every alias of a value is indexed; counting one per value avoids counting twice)."""
    if kind == "party":
        return _PARTIES.get(term) or (None if term in _PARTY_ALIASES else term)
    if kind == "ministry":
        return _MINISTRIES.get(term) or (None if term in _MINISTRY_ALIASES else term)
    return term
