"""Turn the text of a Kamervragen document into a :class:`Document` with its passages.

The work happens in four steps, one module each:

1. :mod:`~kvsearch.parsing.cleanup`: lines and pages, without page furniture and footnotes.
2. :mod:`~kvsearch.parsing.header`: everything before the first question (id, askers, dates …).
3. :mod:`~kvsearch.parsing.blocks`: the body cut at its "Vraag"/"Antwoord"/"Mededeling" headings.
4. :mod:`~kvsearch.parsing.passages`: questions grouped with the answer that answers them.

Then the publisher's metadata (:mod:`~kvsearch.parsing.metadata`), when the caller has it, replaces
what the text only let the parser guess.
"""

from __future__ import annotations

import re

from kvsearch.ingest.sources import SourceText
from kvsearch.models import KIND_QUESTIONS, Document, Passage
from kvsearch.parsing.blocks import split_blocks
from kvsearch.parsing.cleanup import clean_lines
from kvsearch.parsing.dates import parliamentary_year as parliamentary_year
from kvsearch.parsing.footnote_markers import FootnoteMarkers
from kvsearch.parsing.header import header_end, parse_header
from kvsearch.parsing.headings import numbers_from_spec as numbers_from_spec
from kvsearch.parsing.lines import BLANK, PAGE, join_wrapped
from kvsearch.parsing.metadata import OfficialMetadata, apply_official_metadata
from kvsearch.parsing.passages import build_passages
from kvsearch.parsing.people import askers_from_notice

# The name the parser's tests know the footnote-reference remover by.
_MarkerState = FootnoteMarkers


def parse_document(src: SourceText, official: OfficialMetadata | None = None) -> Document:
    """Parse one document. Never raises on odd input: problems go into ``Document.warnings``.

    ``official`` is the publisher's metadata of the document, when there is any: its values win over
    the ones read from the text."""
    prepared = clean_lines(src.text)
    lines = prepared.lines
    head_end = header_end(lines)
    header_lines = [ln for ln in lines[:head_end] if ln not in (BLANK, PAGE)]
    doc = parse_header(header_lines, src, prepared)
    blocks = split_blocks(lines[head_end:], doc)
    build_passages(doc, blocks, prepared.footnotes)
    if doc.kind == "":
        doc.kind = KIND_QUESTIONS
    if doc.notice and not doc.askers:
        askers_from_notice(doc, doc.notice)
    if not doc.passages and doc.notice is None:
        oral = re.search(r"Mondelinge vragen van .*?(?=\s*\(ingezonden|$)", join_wrapped(header_lines))
        if oral:
            # Oral questions are published as their subject only: that is the question.
            doc.passages = [Passage(questions=(), question=oral.group(0), answer="")]
        else:
            doc.warnings.append("no Vraag/Antwoord markers found")
    if official is not None:
        apply_official_metadata(doc, official)
    return doc
