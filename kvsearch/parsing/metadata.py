"""The publisher's metadata of a document, which wins over what the parser reads from its text.

The official publications service describes each document twice: its ``metadata.xml``
(``<metadata name="OVERHEIDop.vraagnummer" content="2026Z08811"/>``) and its SRU record (the same
fields as elements, ``<overheidwetgeving:vraagnummer>``). Both are read by field name, without
namespace or prefix and in any capitalisation, since the service spells them in several ways. A value
that does not have its field's shape is left out, so the text fills it in.

Reading the files is the caller's business (:mod:`kvsearch.ingest.corpus`); this module only looks at
their parsed XML."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, replace
from datetime import date

from kvsearch.ingest.safe_text import sanitize
from kvsearch.ingest.safe_xml import local_name
from kvsearch.models import KIND_ANSWERED, KIND_NOTICE, KIND_QUESTIONS, Document, Person

#: What the service's ``AanhangselTypen`` and publication names say of a document's kind.
_KINDS = {
    "antwoord": KIND_ANSWERED,
    "mededeling": KIND_NOTICE,
    "kamervragen zonder antwoord": KIND_QUESTIONS,
}
_YEAR = re.compile(r"(\d{4})-(\d{4})")
_REFERENCE = re.compile(r"\d{4}Z\d{5}")
_NUMBER = re.compile(r"\d{1,6}")
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_INITIALS = re.compile(r"^(?:[A-Z][a-z]{0,2}\.\s*(?:-\s*)?)+")
_LONGEST_NAME = 120


@dataclass(frozen=True)
class OfficialMetadata:
    """What the publisher says of a document; None (or empty) where it says nothing usable."""

    doc_id: str | None = None
    kind: str | None = None
    askers: tuple[str, ...] = ()
    addressee: str | None = None  # the member of the government asked ("E. Heinen")
    year: str | None = None  # parliamentary year, "2025-2026"
    number: str | None = None  # the Aanhangsel number
    reference: str | None = None  # the Kamer's number of the questions, "2026Z08811"
    date_submitted: str | None = None
    date_answered: str | None = None


def official_metadata(*roots: ET.Element) -> OfficialMetadata:
    """The metadata in ``roots`` (a ``metadata.xml``, an SRU record), the first one that has a field winning."""
    found = OfficialMetadata()
    for root in reversed(roots):
        found = _merge(found, _read(_fields(root)))
    return found


def apply_official_metadata(doc: Document, official: OfficialMetadata) -> None:
    """Put the publisher's values over the ones parsed from the text; keep the text's where it has none."""
    doc.kind = official.kind or doc.kind
    doc.year = official.year or doc.year
    doc.reference = official.reference or doc.reference
    doc.number = official.number or (official.reference if doc.kind == KIND_QUESTIONS else None) or doc.number
    # An answer published without an Aanhangsel number (``ah-<digits>`` ids say none) is known by the
    # Kamer's number of its questions, as questions are: ``nr:`` and its citation use that.
    doc.number = doc.number or official.reference
    doc.date_submitted = official.date_submitted or doc.date_submitted
    doc.date_answered = official.date_answered or doc.date_answered
    if official.addressee and doc.kind != KIND_QUESTIONS and doc.answered_by is None:
        # The one asked is the one who answers unless the text says otherwise; the text's
        # addressees stay as they are: they are offices ("Minister van Financiën"), not people.
        doc.answered_by = Person(name=official.addressee)
    if official.askers:
        parties = {_surname_key(person.name): person.party for person in doc.askers}
        doc.askers = [Person(name=name, party=parties.get(_surname_key(name))) for name in official.askers]


def _fields(root: ET.Element) -> list[tuple[str, str, str]]:
    """``(field, scheme, value)`` for every field in a ``metadata.xml`` or an SRU record; ``field`` in
    lower case without its prefix ("vraagnummer" for both ``OVERHEIDop.vraagnummer`` and
    ``overheidwetgeving:vraagnummer``)."""
    fields = []
    for element in root.iter():
        name = element.get("name") if local_name(element) == "metadata" else local_name(element)
        value = element.get("content") if local_name(element) == "metadata" else element.text
        if name and value and value.strip():
            field = name.rsplit(".", 1)[-1].lower()
            fields.append((field, element.get("scheme") or "", " ".join(sanitize(value).split())))
    return fields


def _read(fields: list[tuple[str, str, str]]) -> OfficialMetadata:
    def first(*names: str, shape: re.Pattern[str] | None = None) -> str | None:
        for field, _scheme, value in fields:
            if field in names and (shape is None or shape.fullmatch(value)):
                return value
        return None

    kind_words = [value for field, scheme, value in fields if field == "type" and scheme.endswith("AanhangselTypen")]
    kind_words += [value for field, _scheme, value in fields if field in ("publicationname", "publicatienaam")]
    askers = [value for field, _scheme, value in fields if field == "indiener" and len(value) <= _LONGEST_NAME]
    year = first("vergaderjaar", shape=_YEAR)
    return OfficialMetadata(
        doc_id=first("identifier"),
        kind=next((_KINDS[word.lower()] for word in kind_words if word.lower() in _KINDS), None),
        askers=tuple(dict.fromkeys(askers)),
        addressee=next(
            (value for field, _s, value in fields if field == "ontvanger" and len(value) <= _LONGEST_NAME), None
        ),
        year=year if year and int(year[5:]) == int(year[:4]) + 1 else None,
        number=first("aanhangselnummer", shape=_NUMBER),
        reference=first("vraagnummer", shape=_REFERENCE),
        date_submitted=_iso_day(first("datumindiening", shape=_ISO_DAY)),
        date_answered=_iso_day(first("datumontvangst", shape=_ISO_DAY)),
    )


def _merge(base: OfficialMetadata, over: OfficialMetadata) -> OfficialMetadata:
    """``base`` with every field ``over`` has replaced."""
    return replace(base, **{name: value for name, value in vars(over).items() if value})


def _iso_day(text: str | None) -> str | None:
    try:
        return date.fromisoformat(text).isoformat() if text else None
    except ValueError:
        return None


def _surname_key(name: str) -> str:
    """ "W.S. van Haga" and "Van Haga" alike: the name without initials, in lower case."""
    return " ".join(_INITIALS.sub("", name).lower().replace("-", " ").split())
