"""The build's catalog: de-duplicating group by group in SQLite keeps what de-duplicating the
whole corpus in memory keeps, and the records survive publishing and reading back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kvsearch.indexer.records import RECORDS, Catalog, read_records, top_words
from kvsearch.ingest.corpus import DocumentSummary, deduplicate_summaries, iter_corpus, parse_files
from kvsearch.storage.recorded_terms import known_abbreviations
from tests.conftest import REAL_CORPUS, SAMPLE_CORPUS


def _in_catalog(folder: Path, summaries: list[DocumentSummary]) -> tuple[list[DocumentSummary], list[str], Catalog]:
    catalog = Catalog(folder)
    for spool, summary in enumerate(summaries):
        summary.spool = spool
    catalog.add_summaries([(s, s.to_json()) for s in summaries])
    duplicates = [p.line() for p in catalog.deduplicate()]
    return list(catalog.kept()), duplicates, catalog


def _view(summary: DocumentSummary) -> tuple[object, ...]:
    return (
        summary.doc_id,
        summary.source,
        summary.title,
        summary.reference,
        summary.date_submitted,
        json.dumps(summary.filled, sort_keys=True),
        summary.key(),
    )


def _copies(summaries: list[DocumentSummary]) -> list[DocumentSummary]:
    return [DocumentSummary.from_json(s.to_json()) for s in summaries]


def _assert_same_as_in_memory(folder: Path, summaries: list[DocumentSummary]) -> None:
    expected_kept, expected_duplicates = deduplicate_summaries(_copies(summaries))
    got_kept, got_duplicates, catalog = _in_catalog(folder, _copies(summaries))
    catalog.close()
    assert [_view(s) for s in got_kept] == [_view(s) for s in expected_kept]
    assert sorted(got_duplicates) == sorted(p.line() for p in expected_duplicates)
    # Each kept summary still points at its own document in the spool.
    assert [summaries[s.spool].source for s in got_kept] == [s.source for s in got_kept]


def _parsed_summaries(corpus: Path) -> list[DocumentSummary]:
    jobs = [(item, None) for item in iter_corpus(corpus)]
    return [outcome[0] for _digest, outcome in parse_files(jobs) if isinstance(outcome, tuple)]


def test_real_corpus_deduplicates_as_in_memory(tmp_path: Path) -> None:
    summaries = _parsed_summaries(REAL_CORPUS)  # holds a document twice, in two formats
    assert len(deduplicate_summaries(_copies(summaries))[1]) > 0
    _assert_same_as_in_memory(tmp_path, summaries)


_IDS = st.sampled_from(["a", "b", "c", "d", "e", "f"])
_REFERENCES = st.one_of(st.none(), st.sampled_from(["r1", "r2", "r3", "r4"]))


@st.composite
def _summaries(draw: st.DrawFn) -> list[DocumentSummary]:
    count = draw(st.integers(min_value=1, max_value=14))
    return [
        DocumentSummary(
            doc_id=draw(_IDS),
            kind=draw(st.sampled_from(["beantwoord", "vragen", "uitstel"])),
            source=f"file{n}.md",
            digest=f"digest{n}",
            answered=draw(st.integers(min_value=0, max_value=3)),
            title=draw(st.one_of(st.none(), st.just(f"titel {n}"))),
            date_submitted=draw(st.one_of(st.none(), st.just("2024-01-02"))),
            reference=draw(_REFERENCES),
            year=draw(st.one_of(st.none(), st.just("2023-2024"))),
        )
        for n in range(count)
    ]


@settings(max_examples=150, deadline=None)
@given(_summaries())
def test_groups_deduplicate_as_the_whole(tmp_path_factory, summaries: list[DocumentSummary]) -> None:
    """Chains of shared ids and references, in any order, give the same kept documents, in
    the same order, with the same metadata taken over, as one pass over all of them."""
    _assert_same_as_in_memory(tmp_path_factory.mktemp("catalog"), summaries)


def test_records_publish_and_load_back(tmp_path: Path) -> None:
    build, second = tmp_path / "build", tmp_path / "second"
    build.mkdir()
    second.mkdir()
    summaries = _parsed_summaries(SAMPLE_CORPUS)
    kept, _duplicates, catalog = _in_catalog(build, summaries)
    catalog.add_files(
        [("a/één.md", {"size": 3, "mtime_ns": 7, "sha256": "x", "documents": [s.to_json() for s in kept]})]
    )
    catalog.record_keys()
    counter = catalog.counter(0)
    counter.counts.update({"woord": 2, "ander": 1})
    counter.definitions.update({("DNB", "de nederlandsche bank"): 2, ("OM", "openbaar ministerie"): 1})
    counter.flush()
    catalog.merge_words(0)
    catalog.publish(build)
    catalog.remove()
    assert [p.name for p in build.glob("*.sqlite")] == [RECORDS]
    assert read_records(build, "words") == {"ander": 1, "woord": 2}
    assert list(read_records(build, "documents")) == [s.doc_id for s in kept]
    assert read_records(build, "files")["a/één.md"]["size"] == 3
    assert top_words(build) == {"woord": 2, "ander": 1}
    assert read_records(build, "definitions") == {"DNB = de nederlandsche bank": 2, "OM = openbaar ministerie": 1}
    assert known_abbreviations(build) == {"DNB": "de nederlandsche bank"}  # two documents define it alike

    again = Catalog(second)
    assert again.load_old(build) and again.count_changes()
    again.add_summaries([(s, s.to_json()) for s in _copies(summaries)])
    again.deduplicate()
    again.add_files([("a/één.md", read_records(build, "files")["a/één.md"])])
    again.record_keys()
    assert again.unchanged()
    assert again.changed_documents() == set()
    changes = again.counter()  # counted as changes to the old records' counts
    changes.counts.update({"woord": -2, "nieuw": 3})
    changes.definitions.update({("DNB", "de nederlandsche bank"): -1, ("OM", "openbaar ministerie"): -1})
    changes.definitions.update({("VN", "verenigde naties"): 2})
    changes.flush()
    again.publish(second)
    again.remove()
    assert read_records(second, "words") == {"ander": 1, "nieuw": 3}
    assert top_words(second) == {"nieuw": 3, "ander": 1}
    assert read_records(second, "definitions") == {"DNB = de nederlandsche bank": 1, "VN = verenigde naties": 2}
    assert known_abbreviations(second) == {"VN": "verenigde naties"}
    for table in ("files", "documents"):
        assert list(read_records(second, table).items()) == list(read_records(build, table).items())
    assert read_records(build, "words") == {"ander": 1, "woord": 2}  # the published file is untouched


def test_damaged_records_mean_a_full_parse(tmp_path: Path) -> None:
    old = tmp_path / "old"
    old.mkdir()
    (old / RECORDS).write_bytes(b"SQLite format 3\x00" + b"\x07" * 4000)
    catalog = Catalog(tmp_path)
    assert not catalog.load_old(old)
    assert not catalog.has_old
    assert not catalog.count_changes()
    assert catalog.changed_documents() is None
    assert catalog.removed_files() == 0  # an empty previous generation stands in
    catalog.close()
    (old / RECORDS).unlink()
    (tmp_path / "missing").mkdir()
    missing = Catalog(tmp_path / "missing")
    assert not missing.load_old(old)
    missing.close()


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(min_value=1, max_value=5000), min_size=1, max_size=40), st.integers(min_value=1, max_value=3)
)
def test_balanced_bounds_split_the_spooled_text_evenly(tmp_path_factory, sizes: list[int], parts: int) -> None:
    """The writers' parts hold about equal shares of the spooled text, in document order."""
    summaries = [
        DocumentSummary(doc_id=f"d{n}", kind="beantwoord", source=f"f{n}", digest=str(n)) for n in range(len(sizes))
    ]
    catalog = Catalog(tmp_path_factory.mktemp("bounds"))
    offset = 0
    for summary, size in zip(summaries, sizes, strict=True):
        summary.spool, offset = offset, offset + size
    catalog.add_summaries([(s, s.to_json()) for s in summaries])
    catalog.deduplicate()
    bounds = catalog.balanced_bounds(parts, offset)
    catalog.close()
    assert bounds[0] == 0 and bounds[-1] == len(sizes) and len(bounds) == parts + 1
    assert bounds == sorted(bounds)
    for part in range(1, parts):
        # The first document that brings the text up to part/parts of the whole ends a part.
        assert sum(sizes[: bounds[part]]) * parts >= offset * part
        assert bounds[part] == 0 or sum(sizes[: bounds[part] - 1]) * parts < offset * part


def test_too_old_sqlite_is_one_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kvsearch.errors import KvsearchError
    from kvsearch.indexer import records as catalog

    monkeypatch.setattr(catalog.sqlite3, "sqlite_version_info", (3, 31, 1))
    monkeypatch.setattr(catalog.sqlite3, "sqlite_version", "3.31.1")
    with pytest.raises(KvsearchError, match=r"needs SQLite 3\.33\.0 or newer; this Python has 3\.31\.1"):
        catalog.Catalog(tmp_path)
