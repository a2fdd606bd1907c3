"""The headings that start a question, an answer or a notice, and the question numbers they name:
"Vraag 3, 4 en 5", "Vragen 1 tot en met 3", "Antwoord op vraag 4", "Antwoord vraag 4-6:", "Mededeling"."""

from __future__ import annotations

import re

from kvsearch.parsing.lines import strip_markup

# Numbers of a question group: "1", "1 en 2", "3, 4 en 5", "7, 8, 9 10 en 11", "1 tot en met 3",
# "4-6", "1 t/m 3", "1,2,3,4 en 5".
NUMSPEC = r"\d{1,4}(?:\s*(?:,|en|&|t/m|tot en met|-|–|/)\s*\d{1,4}|\s+\d{1,4})*"
QUESTION_HEAD = re.compile(rf"^(?:Vraag|Vragen|VRAAG|VRAGEN)\s+(?P<nums>{NUMSPEC})\s*[:.]?$")
ANSWER_HEAD = re.compile(
    rf"^(?:Antwoord|Antwoorden|ANTWOORD)(?:\s+op)?(?:\s+(?:de\s+)?(?:vraag|vragen))?"
    rf"(?:\s+(?P<nums>{NUMSPEC}))?\s*[:.]?$"
)
NOTICE_HEAD = re.compile(r"^Mededeling\s*:?$")
# "1. Bent u …" or a bare "1" on its own line before the question (DOCX exports).
NUMBERED_QUESTION = re.compile(r"^(\d{1,2})(?:[.)](?:\s+(\S.*))?|\s*)$")


def numbers_from_spec(spec: str) -> list[int]:
    """Question numbers of a heading: "3, 4 en 5" -> [3, 4, 5]; "1 tot en met 3" -> [1, 2, 3]."""
    spec = spec.replace("tot en met", "-").replace("t/m", "-").replace("–", "-")
    spec = re.sub(r"\s*-\s*", "-", spec)
    numbers: list[int] = []
    for part in re.split(r"\s*(?:,|en|&|/)\s*|\s+(?=\d)", spec):
        part = part.strip()
        if not part:
            continue
        if "-" in part:
            low, _, high = part.partition("-")
            if low.strip().isdigit() and high.strip().isdigit():
                a, b = int(low), int(high)
                if a <= b <= a + 50:
                    numbers.extend(range(a, b + 1))
                    continue
        numbers.extend(int(n) for n in re.findall(r"\d+", part))
    return sorted(dict.fromkeys(numbers))


def is_heading(line: str) -> bool:
    plain = strip_markup(line)
    return bool(QUESTION_HEAD.match(plain) or ANSWER_HEAD.match(plain) or NOTICE_HEAD.match(plain))
