"""The official XML of Kamervragen (``officiele-publicatie`` / ``kamervragen``) as plain text.

The XML marks up what the parser otherwise has to find in PDF text: the description lines
(``kamervraagomschrijving``: who asked whom about what, who answered), each question
(``vraag``: ``nr`` "Vraag 1" and paragraphs ``al``), each answer (``antwoord``: "Antwoord 2
en 3"), notices (``kamervraagopmerking``) and footnotes (``noot``, inline where they are
referred to). This module writes them out in the layout :mod:`kvsearch.parsing.document` reads — one
heading line per question and answer, the footnotes at the foot of the page — so that XML,
PDF and Markdown documents go through the same parser. Page furniture (``kamervraagkop``)
is left out. Stdlib only.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from kvsearch.ingest.safe_xml import local_name

#: Elements whose text is furniture or metadata, not document text.
SKIPPED = frozenset({"metadata", "meta", "kamervraagkop", "kamervraagnummer"})


def is_kamervragen(root: ET.Element) -> bool:
    return any(local_name(element) == "kamervragen" for element in root.iter())


def kamervragen_text(root: ET.Element) -> str:
    """The text of an official Kamervragen XML document, laid out for the parser.

    Raises:
        ValueError: the document holds no ``kamervragen`` element.
    """
    body = next((element for element in root.iter() if local_name(element) == "kamervragen"), None)
    if body is None:
        raise ValueError(f"not an official Kamervragen XML document (root <{local_name(root)}>)")
    writer = _Writer()
    number = next((e for e in body.iter() if local_name(e) == "kamervraagnummer"), None)
    if number is not None and (number.text or "").strip():
        writer.paragraph(number.text or "")
    for element in body:
        writer.block(element)
    return writer.text()


class _Writer:
    def __init__(self) -> None:
        self.paragraphs: list[str] = []
        self.notes: list[str] = []
        self.questions = 0
        self.answers = 0

    def text(self) -> str:
        text = "\n\n".join(self.paragraphs)
        if self.notes:
            text += "\n\n" + "\n".join(self.notes)
        return text + "\n"

    def paragraph(self, text: str) -> None:
        text = " ".join(text.split())
        if text:
            self.paragraphs.append(text)

    def block(self, element: ET.Element) -> None:
        name = local_name(element)
        if name in SKIPPED:
            return
        if name == "vraag":
            self.questions += 1
            self._numbered(element, "Vraag", self.questions)
        elif name == "antwoord":
            self.answers += 1
            self._numbered(element, "Antwoord", self.answers)
        elif name == "kamervraagopmerking":
            self.paragraph("Mededeling")
            self._paragraphs(element)
        elif name in ("al", "kamervraagomschrijving"):
            self.paragraph(self._inline(element))
        else:
            self._paragraphs(element)

    def _numbered(self, element: ET.Element, word: str, ordinal: int) -> None:
        """A question or answer: its heading ("Antwoord 2 en 3"), then its paragraphs."""
        heading = next((c for c in element if local_name(c) in ("nr", "nummer")), None)
        label = " ".join(self._inline(heading).split()) if heading is not None else ""
        if not label or label[0].isdigit():  # a bare "2" or no number: say what it is
            label = f"{word} {label or ordinal}"
        self.paragraph(label)
        for child in element:
            if child is not heading:
                self.block(child)

    def _paragraphs(self, element: ET.Element) -> None:
        if any(local_name(child) == "al" for child in element):
            for child in element:
                self.block(child)
        else:
            self.paragraph(self._inline(element))

    def _inline(self, element: ET.Element) -> str:
        """The text of ``element``; a footnote becomes its number at the call site."""
        parts = [element.text or ""]
        for child in element:
            if local_name(child) == "noot":
                parts.append(self._footnote(child))
            elif local_name(child) not in SKIPPED:
                parts.append(self._inline(child))
            parts.append(child.tail or "")
        return "".join(parts)

    def _footnote(self, note: ET.Element) -> str:
        number = next((c for c in note if local_name(c) == "noot.nr"), None)
        label = " ".join((number.text or "").split()) if number is not None else ""
        label = label or str(len(self.notes) + 1)
        text = " ".join(" ".join(self._inline(c).split()) for c in note if local_name(c) not in ("noot.nr",))
        self.notes.append(f"{label} {text}")
        return label
