"""The members who asked, with their parties: "de leden Gabriëls en Bromet (beiden GroenLinks-PvdA)"."""

from __future__ import annotations

import re

from kvsearch.models import Document, Person
from kvsearch.parsing.offices import parse_addressees

# A delay notice without a "Vragen van …" header names the questions in its sentence:
# "De vragen van het lid Flach (SGP) over … (2024Z17067) kunnen niet …" or
# "… hebben de leden Gabriëls en Bromet (beiden GroenLinks-PvdA) schriftelijke vragen gesteld
# aan de minister van … over de berichten dat …".
_NOTICE_ASKERS = [
    re.compile(
        r"[Vv]ragen van (?:het lid|de leden) (?P<askers>[^()]+\([^()]+\))(?: van uw Kamer)?"
        r"(?: aan (?P<offices>.+?))? over (?P<title>.+?)\s*\((?:\d{4}Z\d{5}|ingezonden)"
    ),
    re.compile(
        r"(?:het lid|de leden) (?P<askers>[^()]+\([^()]+\)) schriftelijke vragen gesteld"
        r"(?: aan (?P<offices>.+?))? over (?P<title>.+?)\.(?:\s|$)"
    ),
]


def askers_from_notice(doc: Document, notice: str) -> None:
    for pattern in _NOTICE_ASKERS:
        found = pattern.search(" ".join(notice.split()))
        if found:
            doc.askers = parse_askers(found.group("askers"))
            if found.group("offices") and not doc.addressees:
                doc.addressees = parse_addressees(found.group("offices"))
            doc.title = doc.title or found.group("title").strip()
            return


def clean_name(name: str) -> str:
    name = " ".join(name.replace("*", "").split())
    return re.sub(r"\s*[–—-]\s*", "-", name)


def parse_askers(text: str) -> list[Person]:
    people: list[Person] = []
    for names, party in re.findall(r"([^()]+?)\s*\(([^()]+)\)", text):
        party = re.sub(r"^(?:beiden|allen|beide)\s+", "", party.strip())
        names = re.sub(r"^(?:,|en)\s+", "", names.strip().lstrip(",").strip())
        for name in re.split(r",\s*|\s+en\s+", names):
            name = clean_name(name)
            if name and not re.fullmatch(r"en|,", name):
                people.append(Person(name=name, party=party))
    if not people and text.strip():
        for name in re.split(r",\s*|\s+en\s+", text):
            if name.strip():
                people.append(Person(name=clean_name(name)))
    return people
