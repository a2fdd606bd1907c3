"""The text fields a query searches, and how much a match in each weighs."""

from __future__ import annotations

TEXT_FIELDS = ("title", "question", "answer")
#: BM25F: a match in the subject or the answer weighs a little more than one in the question.
FIELD_WEIGHTS = {"title": 1.5, "question": 1.0, "answer": 1.2}
#: BM25 per field (BM25F sums per-field BM25 scores): term-frequency saturation and length
#: normalisation per field.
BM25_K1 = 1.2
BM25_B = {"title": 0.75, "question": 0.75, "answer": 0.75}
