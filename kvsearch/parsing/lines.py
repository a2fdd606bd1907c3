"""Lines of a document's text: the markers that stand between them, Markdown markup around them, and
joining them back into paragraphs."""

from __future__ import annotations

import re

# Markers in the line stream besides text.
PAGE = "\x00PAGE"
BLANK = ""


_LONE_NUMBERS = re.compile(r"^\d{1,3}(?:\s*(?:,|en)?\s*\d{1,3})*$")


_MD_MARKUP = re.compile(r"^#+\s*|^\*\*|\*\*$|^_|_$")


def strip_markup(line: str) -> str:
    line = line.strip()
    if not line or (line[0] not in "#*_" and line[-1] not in "*_"):
        return line  # what _MD_MARKUP removes starts or ends a line with one of these
    previous = None
    while previous != line:
        previous = line
        line = _MD_MARKUP.sub("", line).strip()
    return line


_SENTENCE_ENDS = tuple(".?!:;»”\"')")
_STARTS_LOWER = re.compile(r"[a-zà-ÿ(]")


def block_text(lines: list[str]) -> str:
    """Join the lines of a block into paragraphs, mending page breaks and line-end hyphens."""
    paragraphs: list[str] = []
    current: list[str] = []
    widths = sorted(len(ln) for ln in lines if ln not in (BLANK, PAGE))
    full = widths[int(len(widths) * 0.9)] if widths else 0
    gap = None  # what separated the previous text line from this one: None, BLANK or PAGE
    for line in lines:
        if line in (BLANK, PAGE):
            if current:
                gap = PAGE if line == PAGE or gap == PAGE else BLANK
            continue
        if _LONE_NUMBERS.match(line):
            continue  # a lone footnote reference ("1", "2, 3 en 4")
        if current:
            previous = current[-1]
            ends_sentence = previous.endswith(_SENTENCE_ENDS)
            starts_lower = bool(_STARTS_LOWER.match(line))
            if gap == PAGE:
                new_paragraph = ends_sentence and not starts_lower
            elif gap == BLANK:
                new_paragraph = not (not ends_sentence and starts_lower)
            else:
                new_paragraph = ends_sentence and len(previous) < 0.7 * full and not starts_lower
            if new_paragraph:
                paragraphs.append(join_wrapped(current))
                current = []
        current.append(line)
        gap = None
    if current:
        paragraphs.append(join_wrapped(current))
    return "\n\n".join(p for p in paragraphs if p)


def join_wrapped(lines: list[str]) -> str:
    """Join hard-wrapped lines into one paragraph; "beant-\\nwoording" becomes one word."""
    text = ""
    for line in lines:
        line = line.strip()
        if not line:
            continue
        if not text:
            text = line
        elif (
            text[-1] == "-"
            and _LOWER_LETTER.match(text[-2:-1])  # the end only: text grows line by line
            and _LOWER_LETTER.match(line)
            and not _CONJUNCTION.match(line)
        ):
            text = text[:-1] + line
        else:
            text += " " + line
    return " ".join(text.split())


_LOWER_LETTER = re.compile(r"[a-zà-ÿ]")
_CONJUNCTION = re.compile(r"(?:en|of|tot|en/of)\b")
