"""The offices questions are addressed to: "aan de Ministers van A, van B en voor C" becomes
"Minister van A", "Minister van B", "Minister voor C"."""

from __future__ import annotations

import re

#: Portfolios as the documents write them, longest first so that "Economische Zaken en Klimaat"
#: wins over "Economische Zaken". Used to split "aan de Ministers van A, van B en van C".
PORTFOLIOS = sorted(
    [
        "Algemene Zaken",
        "Armoedebeleid, Participatie en Pensioenen",
        "Asiel en Migratie",
        "Binnenlandse Zaken en Koninkrijksrelaties",
        "Buitenlandse Handel en Ontwikkelingshulp",
        "Buitenlandse Handel en Ontwikkelingssamenwerking",
        "Buitenlandse Zaken",
        "Cultuur en Media",
        "Defensie",
        "Digitalisering en Koninkrijksrelaties",
        "Economische Zaken",
        "Economische Zaken en Klimaat",
        "Financiën",
        "Fiscaliteit, Belastingdienst en Douane",
        "Herstel Toeslagen",
        "Infrastructuur en Milieu",
        "Infrastructuur en Waterstaat",
        "Jeugd, Preventie en Sport",
        "Justitie en Veiligheid",
        "Klimaat en Energie",
        "Klimaat en Groene Groei",
        "Koninkrijksrelaties en Digitalisering",
        "Landbouw, Natuur en Voedselkwaliteit",
        "Landbouw, Visserij, Voedselzekerheid en Natuur",
        "Langdurige Zorg en Sport",
        "Medische Zorg",
        "Medische Zorg en Sport",
        "Migratie",
        "Mijnbouw",
        "Natuur en Stikstof",
        "Onderwijs, Cultuur en Wetenschap",
        "Primair en Voortgezet Onderwijs",
        "Rechtsbescherming",
        "Sociale Zaken en Werkgelegenheid",
        "Toeslagen en Douane",
        "Veiligheid en Justitie",
        "Volksgezondheid, Welzijn en Sport",
        "Volkshuisvesting en Ruimtelijke Ordening",
        "Wonen en Ruimtelijke Ordening",
    ],
    key=len,
    reverse=True,
)


# The same names with any spacing, since PDF extraction glues words ("BuitenlandseHandel").
_PORTFOLIO_PATTERNS = [re.compile(r"\s*".join(map(re.escape, p.split()))) for p in PORTFOLIOS]


_ROLE = re.compile(r"(?P<role>[Mm]inister-[Pp]resident|[Mm]inisters?|[Ss]taats?secretaris(?:sen)?)\b")


def parse_addressees(text: str) -> list[str]:
    """ "de Ministers van A, van B en voor C" -> ["Minister van A", "Minister van B", "Minister voor C"]."""
    offices: list[str] = []
    role: str | None = None
    position = 0
    text = " ".join(text.split())
    while position < len(text):
        rest = text[position:]
        role_match = _ROLE.match(rest)
        if role_match:
            word = role_match.group("role").lower()
            if word == "minister-president":
                offices.append("Minister-President")
                role = None
            else:
                role = "Minister" if word.startswith("minister") else "Staatssecretaris"
            position += role_match.end()
            continue
        prep = re.match(r"(van|voor)\s*", rest) or (re.match(r"\s*", rest) if role else None)
        if prep and role and (prep.group(0).strip() or any(p.match(rest) for p in _PORTFOLIO_PATTERNS)):
            body = rest[prep.end() :]
            known = next((m for m in (p.match(body) for p in _PORTFOLIO_PATTERNS) if m), None)
            if known:
                portfolio, length = PORTFOLIOS[_PORTFOLIO_PATTERNS.index(known.re)], known.end()
            else:
                cut = re.search(r",\s+(?:van|voor|de)\s|\s+en\s+(?:van|voor|de|het)\s", body)
                portfolio = body[: cut.start()] if cut else body
                length = len(portfolio)
            preposition = prep.group(1) if prep.groups() else "van"
            offices.append(f"{role} {preposition} {portfolio.strip().rstrip('.,')}")
            position += prep.end() + length
            continue
        skip = re.match(r"[\s,]+|en\s+|de\s*(?=[MmSs])|de\s+|het\s+|\S+\s*", rest)
        position += skip.end() if skip else 1
    return list(dict.fromkeys(offices))
