"""Footnote references taken out of passage text, and the footnotes they point to kept with the passage."""

from __future__ import annotations

import re

# Footnote references (FootnoteMarkers). A pattern that starts with a digit is found by a scan in
# C; the character before the number is checked by a look-behind after its first digit.
_BRACKET_REF = re.compile(r"\[((?:\d+\s*)+|[a-z]{1,2})\s*\]")
#: "regenboogbeleid»?1", "beleid2 en 3": 1-2 digits glued to a letter or punctuation.
_GLUED_REF = re.compile(r"(\d(?<=[»”\"'?!.,;:)]\d|[^\W\d_]\d)\d?)((?:\s*(?:,|en)\s*\d{1,2})*)(?=\s|$)")
_PAREN_REF = re.compile(r"\s+\d{1,2}\)(?=\s|$)")
_PAREN_CANDIDATE = re.compile(r"\d\)")  # what _PAREN_REF needs; most text has none
#: " 3 is de Kamer": 1-2 digits between spaces, a lowercase word after them.
_LOOSE_REF = re.compile(r"(\d(?<=\s\d)(?<!artikel\s\d)(?<!lid\s\d)(?<!nr\.\s\d)(?<!vraag\s\d)\d?)\s(?=[a-z])")
_TRAILING_BLANKS = re.compile(r"[ \t]+\n")


def _trailing_blanks(text: str) -> str:
    """``text`` without spaces and tabs at the ends of its lines."""
    return _TRAILING_BLANKS.sub("\n", text) if " \n" in text or "\t\n" in text else text


class FootnoteMarkers:
    """Removes footnote references from passage text, in document order.

    Markdown conversions write them as ``[1 ]``; PDF text glues the number to the preceding
    punctuation ("regenboogbeleid»?1"). A glued number is only taken for a reference when it is
    a footnote of this document and the next one expected, so "CO2" stays "CO2".
    """

    def __init__(self, numbers: set[int]) -> None:
        self.numbers = numbers
        self.expected = min(numbers) if numbers else 1

    def strip(self, text: str, refs: list[int]) -> str:
        def bracket(match: re.Match[str]) -> str:
            inner = match.group(1)
            if re.fullmatch(r"[a-z]{1,2}", inner):
                return inner  # a superscript like 11[e ] -> 11e
            found = [int(n) for n in inner.split()]
            refs.extend(found)
            self.expected = max(found) + 1
            return ""

        if "[" in text:
            text = _BRACKET_REF.sub(bracket, text)

        def glued(match: re.Match[str]) -> str:
            first = int(match.group(1))
            if first not in self.numbers or first not in (self.expected, self.expected + 1):
                return match.group(0)
            found = [first] + [int(n) for n in re.findall(r"\d+", match.group(2) or "")]
            refs.extend(found)
            self.expected = max(found) + 1
            return ""  # the character it is glued to is not part of the match

        if not self.numbers:  # the rest only takes numbers of the document's footnotes
            return _trailing_blanks(text).strip()
        text = _GLUED_REF.sub(glued, text)
        if _PAREN_CANDIDATE.search(text):
            text = _PAREN_REF.sub(lambda m: self._paren(m, refs), text)

        def loose(match: re.Match[str]) -> str:
            number = int(match.group(1))
            if number != self.expected or number not in self.numbers:
                return match.group(0)
            refs.append(number)
            self.expected = number + 1
            return " "  # after the space before it, which is not part of the match

        # A reference that starts a line in PDF text: "… d.d. 10 oktober 2024 3 is de Kamer …".
        text = _LOOSE_REF.sub(loose, text)
        return _trailing_blanks(text).strip()

    def _paren(self, match: re.Match[str], refs: list[int]) -> str:
        number = int(match.group(0).strip()[:-1])
        if number in self.numbers:
            refs.append(number)
            return ""
        return match.group(0)
