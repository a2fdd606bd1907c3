"""The third step: the body lines cut into blocks, each a question, an answer or a notice.

Headings are recognised with or without Markdown ``#``/``**`` (see :mod:`kvsearch.parsing.headings`); a
bare ``Antwoord`` answers the questions just asked. Documents without "Vraag" headings have numbered
questions ("1. Bent u …") or, for questions not yet answered, one question per paragraph."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kvsearch.models import KIND_NOTICE, Document
from kvsearch.parsing.headings import ANSWER_HEAD, NOTICE_HEAD, NUMBERED_QUESTION, QUESTION_HEAD, numbers_from_spec
from kvsearch.parsing.lines import BLANK, PAGE, strip_markup


@dataclass
class Block:
    kind: str  # "q", "a", "notice"
    numbers: list[int]
    lines: list[str] = field(default_factory=list)


def split_blocks(lines: list[str], doc: Document) -> list[Block]:
    blocks: list[Block] = []
    plains = [strip_markup(ln) for ln in lines]  # BLANK and PAGE stay as they are
    has_question_heads = any(map(QUESTION_HEAD.match, plains))
    has_answer_heads = any(map(ANSWER_HEAD.match, plains))
    numbered = not has_question_heads and any(map(NUMBERED_QUESTION.match, lines))
    current: Block | None = None
    last_question = 0
    for line, plain in zip(lines, plains, strict=True):
        q = QUESTION_HEAD.match(plain) if plain else None
        a = ANSWER_HEAD.match(plain) if plain else None
        n = NUMBERED_QUESTION.match(plain) if plain and numbered else None
        if q:
            current = Block("q", numbers_from_spec(q.group("nums")))
            blocks.append(current)
            last_question = max(current.numbers or [last_question])
        elif a:
            nums = numbers_from_spec(a.group("nums")) if a.group("nums") else []
            current = Block("a", nums)
            blocks.append(current)
        elif plain and NOTICE_HEAD.match(plain):
            current = Block("notice", [])
            blocks.append(current)
        elif n and int(n.group(1)) == last_question + 1:
            last_question += 1
            current = Block("q", [last_question], [n.group(2)] if n.group(2) else [])
            blocks.append(current)
        elif current is None:
            if plain in (BLANK, PAGE):
                continue
            if doc.kind == KIND_NOTICE and not has_question_heads:
                current = Block("notice", [])
            elif not has_question_heads and not has_answer_heads and not numbered and doc.askers:
                # Unnumbered questions (a "vragen" document from DOCX): one per paragraph.
                current = Block("q", [last_question + 1])
                last_question += 1
            else:
                continue  # text before the first heading that is not header: ignore
            current.lines.append(line)
            blocks.append(current)
        elif (
            current.kind == "q"
            and not has_question_heads
            and not has_answer_heads
            and not numbered
            and current.lines
            and current.lines[-1] == BLANK
            and not is_footnote_line(line)
        ):
            last_question += 1
            current = Block("q", [last_question], [line])
            blocks.append(current)
        else:
            if current.kind == "q" and not has_question_heads and is_footnote_line(line):
                current = Block("footnotes", [], [line])
                blocks.append(current)
                continue
            current.lines.append(line)
    return blocks


def is_footnote_line(line: str) -> bool:
    return bool(re.match(r"^\d{1,2}\)\s+\S", line))
