"""The test corpus shipped in tests/data/corpus: real documents, small, one of each kind and quirk."""

from __future__ import annotations

import json
from pathlib import Path

from kvsearch.ingest.corpus import load_corpus
from tests.conftest import SHARED_CORPUS, TEST_CORPUS, needs_shared_corpus, run_cli

# A clone carries it in every checkout: it has to stay small.
MAX_BYTES = 500_000


def documents() -> list[Path]:
    return sorted(p for p in TEST_CORPUS.rglob("*") if p.is_file() and p.name != "README.md")


def test_it_is_small_and_holds_every_format() -> None:
    assert sum(p.stat().st_size for p in documents()) < MAX_BYTES
    assert {p.suffix for p in documents()} == {".md", ".txt", ".pdf"}
    assert {p.parent.name for p in documents()} == {"seed", "converted", "official-pdf", "limburg-2024"}


@needs_shared_corpus()
def test_every_document_is_an_unchanged_copy_of_a_shared_one() -> None:
    for path in documents():
        relative = path.relative_to(TEST_CORPUS)
        assert path.read_bytes() == (SHARED_CORPUS / relative).read_bytes(), relative


def test_its_readme_is_not_indexed_and_every_kind_of_document_is(test_index: Path) -> None:
    assert (TEST_CORPUS / "README.md").is_file()
    load = load_corpus(TEST_CORPUS)
    assert not [p for p in load.problems if "README" in p.path]
    stats = json.loads(run_cli("stats", "--index", str(test_index), "--json").stdout)
    assert stats["documents"] == len(documents()) - len(load.duplicates) == len(load.documents)
    kinds = {d.kind for d in load.documents}
    assert {"antwoord", "vragen", "mededeling"} <= kinds
    unanswered = [d for d in load.documents if d.kind == "vragen" and not any(p.answer for p in d.passages)]
    grouped = [p for d in load.documents for p in d.passages if len(p.questions) >= 3]
    assert unanswered and grouped
