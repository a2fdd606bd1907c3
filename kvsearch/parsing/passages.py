"""The fourth step: blocks become passages, each a group of questions with the answer that answers them.

"Vraag 5", "Vraag 6", "Antwoord 5 en 6" become one passage (5, 6). An answer whose question heading was
lost at a page break takes back its question from the text after that page break."""

from __future__ import annotations

import re

from kvsearch.models import KIND_ANSWERED, KIND_NOTICE, KIND_QUESTIONS, Document, Passage
from kvsearch.parsing.blocks import Block
from kvsearch.parsing.footnote_markers import FootnoteMarkers
from kvsearch.parsing.lines import BLANK, PAGE, block_text


def build_passages(doc: Document, blocks: list[Block], footnotes: dict[int, str]) -> None:
    notes = dict(footnotes)
    for block in blocks:
        if block.kind == "footnotes":
            for line in block.lines:
                m = re.match(r"^(\d{1,2})\)\s+(.*)$", line)
                if m:
                    notes[int(m.group(1))] = m.group(2)
                elif notes:
                    last = max(notes)
                    notes[last] += " " + line
    marker_state = FootnoteMarkers(set(notes))
    pending: list[Block] = []
    answered: set[int] = set()
    passages: list[Passage] = []
    previous_answer: Block | None = None
    has_answers = any(b.kind == "a" for b in blocks)

    for block in blocks:
        if block.kind == "q":
            pending.append(block)
        elif block.kind == "a":
            numbers = block.numbers or sorted({n for q in pending for n in q.numbers})
            if not numbers and not pending:
                numbers = [max(answered, default=0) + 1]
            asked = [q for q in pending if set(q.numbers) & set(numbers)] or (pending if not block.numbers else [])
            recovered = None
            if not asked and previous_answer is not None:
                recovered = _recover_question(previous_answer)
                if recovered:
                    doc.warnings.append(f"question heading for {_label(numbers)} missing; question text recovered")
            if not asked and not recovered and pending:
                # Numbering that does not match ("Vraag 7" twice, then "Antwoord 8"): the
                # questions just asked are what this answer answers.
                doc.warnings.append(
                    f"answer {_label(numbers)} follows question "
                    f"{_label(sorted({n for q in pending for n in q.numbers}))}"
                )
                asked = pending
            question_parts = [recovered] if recovered else []
            for text in (block_text(q.lines) for q in asked):
                if text and text not in question_parts:
                    question_parts.append(text)
            if not question_parts:
                doc.warnings.append(f"answer {_label(numbers)} has no question")
            all_numbers = sorted(set(numbers) | {n for q in asked for n in q.numbers})
            passages.append(_passage(all_numbers, question_parts, block.lines, marker_state, notes))
            answered.update(all_numbers)
            # Questions asked before this answer but not answered by it wait for a later answer.
            pending = [q for q in pending if q not in asked]
            previous_answer = block
        elif block.kind == "notice":
            doc.notice = block_text(block.lines) or doc.notice
            if not has_answers:
                doc.kind = KIND_NOTICE
    for q in pending:
        if has_answers:
            doc.warnings.append(f"question {_label(q.numbers)} has no answer")
        passages.append(_passage(q.numbers, [block_text(q.lines)], [], marker_state, notes))
    if has_answers:
        doc.kind = KIND_ANSWERED
    elif doc.kind != KIND_NOTICE:
        doc.kind = KIND_QUESTIONS
    doc.passages = passages


def _label(numbers: list[int]) -> str:
    return ", ".join(str(n) for n in numbers) or "?"


def _passage(
    numbers: list[int],
    question_parts: list[str],
    answer_lines: list[str],
    markers: FootnoteMarkers,
    notes: dict[int, str],
) -> Passage:
    refs: list[int] = []
    question = "\n\n".join(p for p in (markers.strip(q, refs) for q in question_parts) if p)
    answer = markers.strip(block_text(answer_lines), refs)
    return Passage(
        questions=tuple(numbers),
        question=question,
        answer=answer,
        notes=tuple(f"{n} {notes[n]}" for n in refs if n in notes),
    )


def _recover_question(answer: Block) -> str | None:
    """Take the question text back from the end of the previous answer (lost heading).

    The text after the answer's last page break is the question when it ends with "?";
    otherwise the last paragraph that ends with "?".
    """
    if PAGE in answer.lines:
        cut = len(answer.lines) - 1 - answer.lines[::-1].index(PAGE)
        tail = [ln for ln in answer.lines[cut + 1 :] if ln != BLANK]
        if tail and tail[-1].rstrip().endswith("?"):
            del answer.lines[cut:]
            return block_text(tail)
    return None
