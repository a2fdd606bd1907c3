"""Characters that untrusted document text must never get through to a terminal.

Its own module so that printing a hit does not import the file readers of :mod:`kvsearch.ingest.sources`.
"""

from __future__ import annotations

import re

#: C0/C1 controls (except newline, tab and the form feed that marks pages), bidi overrides and
#: invisible joiners: they could change a terminal or hide text.
UNSAFE = re.compile(
    "[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufffe\uffff]"
)


def sanitize(text: str) -> str:
    """Remove characters that could change a terminal or hide text (escapes, bidi, NUL), and
    turn tabs and form feeds into spaces.

    Used when rendering (defence in depth for older indexes); ingestion uses
    :func:`kvsearch.ingest.sources.clean_text`.
    """
    return UNSAFE.sub("", text).replace("\t", " ").replace("\f", " ")
