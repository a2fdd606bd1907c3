"""The index build's fast paths write what Whoosh's own code would write."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from whoosh import index as whoosh_index

from kvsearch import analysis
from kvsearch.engine.schema import KvCodec, build_schema
from kvsearch.engine.segment_writer import FastSegmentWriter
from kvsearch.indexer.passages import passage_records
from kvsearch.ingest.corpus import load_corpus
from tests.conftest import REAL_CORPUS, SAMPLE_CORPUS


@pytest.fixture(scope="module")
def records() -> list[dict[str, Any]]:
    corpus = REAL_CORPUS
    return [r for d in load_corpus(corpus).documents for r in passage_records(d)]


def dump(path: Path, blocks: bool = False) -> dict[str, Any]:
    """Everything a reader can see in an index: postings, lengths, stored fields, columns;
    with ``blocks`` (an index of one segment), each posting with the bounds of its block."""
    ix = whoosh_index.open_dir(str(path), readonly=True)
    try:
        with ix.reader() as reader:
            postings = {}
            for fieldname, tbytes in reader.all_terms():
                m = reader.postings(fieldname, tbytes)
                items = []
                while m.is_active():
                    items.append((m.id(), m.weight(), m.value(), *(block_bounds(m) if blocks else ())))
                    m.next()
                postings[(fieldname, tbytes)] = items
                info = reader.term_info(fieldname, tbytes)
                postings[(fieldname, tbytes, "info")] = (
                    info.weight(),
                    info.doc_frequency(),
                    info.min_length(),
                    info.max_length(),
                    info.max_weight(),
                    info.min_id(),
                    info.max_id(),
                )
            lengths = {
                f: [reader.doc_field_length(n, f) for n in range(reader.doc_count_all())]
                for f in ("title", "question", "answer")
            }
            stored = list(reader.all_stored_fields())
            columns = {f: list(reader.column_reader(f)) for f in ("date",) if reader.has_column(f)}
            totals = {f: reader.field_length(f) for f in ("title", "question", "answer")}
            return {
                "postings": postings,
                "lengths": lengths,
                "stored": stored,
                "columns": columns,
                "totals": totals,
                "segments": len(ix._segments()),
            }
    finally:
        ix.close()


def block_bounds(m: Any) -> tuple[Any, ...]:
    """The bounds of the block a posting is in: what search skips blocks by."""
    return (m.block_max_id(), m.block_max_weight(), m.block_min_length(), m.block_max_length())


@pytest.mark.slow
@pytest.mark.parametrize("limitmb", [128, 1])
def test_fast_writer_writes_what_whoosh_writes(records: list[dict[str, Any]], tmp_path: Path, limitmb: int) -> None:
    plain, fast = tmp_path / "plain", tmp_path / "fast"
    for path in (plain, fast):
        path.mkdir()
        ix = whoosh_index.create_in(str(path), build_schema())
        writer = ix.writer() if path is plain else FastSegmentWriter(ix, limitmb=limitmb, codec=KvCodec())
        if path is fast and limitmb == 1:
            writer._limit = 50_000  # several run files even for the small sample corpus
        for record in records:
            writer.add_document(**record)
        writer.commit(optimize=True)
        ix.close()
    expected, got = dump(plain, blocks=True), dump(fast, blocks=True)
    assert got["segments"] == 1
    assert got["postings"].keys() == expected["postings"].keys()
    for key, value in expected["postings"].items():
        assert got["postings"][key] == value, key
    assert got == expected


def test_codec_stores_document_metadata_once(records: list[dict[str, Any]], tmp_path: Path) -> None:
    sizes = {}
    for name, codec in (("plain", None), ("kv", KvCodec())):
        path = tmp_path / name
        path.mkdir()
        ix = whoosh_index.create_in(str(path), build_schema())
        writer = FastSegmentWriter(ix, codec=codec)
        for record in records:
            writer.add_document(**record)
        writer.commit(optimize=True)
        ix.close()
        sizes[name] = sum(p.stat().st_size for p in path.iterdir())
    assert sizes["kv"] < sizes["plain"] * 0.95


def test_index_positions_match_analyze() -> None:
    text = "De staten-generaal en de verkiezingsuitslag: risico's, hetkader, januari2020 en Israël; Israël."
    expected: dict[str, list[int]] = {}
    for token in analysis.analyze(text):
        expected.setdefault(token.text, []).append(token.position)
    assert analysis.index_positions(text) == (expected, len(analysis.analyze(text)))


@pytest.mark.slow
def test_fast_writer_merges_and_deletes_like_whoosh(records: list[dict[str, Any]], tmp_path: Path) -> None:
    half = len(records) // 2
    doomed = sorted({r["doc_id"] for r in records[:half]})[::3]
    dumps = []
    for name in ("plain", "fast"):
        path = tmp_path / name
        path.mkdir()
        ix = whoosh_index.create_in(str(path), build_schema())
        for batch, optimize in ((records[:half], False), (records[half:], True)):
            writer = ix.writer() if name == "plain" else FastSegmentWriter(ix, codec=KvCodec())
            if optimize:  # the second batch replaces some documents of the first
                for doc_id in doomed:
                    writer.delete_by_term("doc_id", doc_id)
            for record in batch:
                writer.add_document(**record)
            writer.commit(optimize=optimize)
        ix.close()
        dumps.append(dump(path))
    assert dumps[1] == dumps[0]


def _generation_files(index: Path) -> dict[str, Any]:
    from kvsearch.indexer.records import read_records
    from kvsearch.storage.generations import CURRENT, VOCABULARY, read_json

    generation = index / (index / CURRENT).read_text().strip()
    files = read_records(generation, "files")
    for entry in files.values():
        entry.pop("mtime_ns")
    return {
        "documents": list(read_records(generation, "documents").items()),
        "vocabulary": read_json(generation / VOCABULARY),
        "counts": read_records(generation, "words"),
        "files": list(files.items()),
    }


def test_incremental_dedup_and_vocabulary_equal_full(tmp_path: Path) -> None:
    import shutil

    from kvsearch.indexer.build import build_index

    corpus = tmp_path / "corpus"
    shutil.copytree(REAL_CORPUS / "limburg-2024", corpus / "limburg-2024")
    live, full = tmp_path / "live", tmp_path / "full"
    build_index(corpus, live)
    # The kept document of a duplicate pair loses its duplicate (and what it took over from it);
    # another file changes its words.
    (corpus / "limburg-2024" / "De_ontkoppeling_van_ontwikkelingshulp-pdf.txt").unlink()
    changed = corpus / "limburg-2024" / "Het_werken_met_ambtenaren-pdf.txt"
    changed.write_text(changed.read_text(encoding="utf-8").replace("woordvoerder", "zegsman"), encoding="utf-8")
    report = build_index(corpus, live)
    assert (report.updated, report.removed) == (1, 1)
    build_index(corpus, full, full=True)
    assert _generation_files(live) == _generation_files(full)


def test_incremental_keeps_unchanged_records_in_walk_order(tmp_path: Path) -> None:
    """Files that did not change keep their records by SQL (``Catalog.add_unchanged``), files
    that did are handled in Python: the records, errors and warnings come out in the walk's
    order, as a full build gives them, and the live generation's records stay untouched."""
    import hashlib
    import shutil

    from kvsearch.indexer.build import build_index
    from kvsearch.indexer.records import RECORDS
    from kvsearch.storage.generations import CURRENT

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for folder in ("converted", "seed"):  # six files, one with a warning
        for item in (REAL_CORPUS / folder).iterdir():
            shutil.copy(item, corpus / item.name)
    (corpus / "ah-tk-2-broken.txt").write_bytes(bytes(range(256)) * 20)  # an error the records keep
    live, full = tmp_path / "live", tmp_path / "full"
    first = build_index(corpus, live)
    assert first.skipped and first.warnings
    generation = live / (live / CURRENT).read_text().strip()
    records = hashlib.sha256((generation / RECORDS).read_bytes()).hexdigest()
    # A new file between unchanged ones, and a changed one.
    source = corpus / "ah-tk-20232024-1064.md"
    (corpus / "ah-tk-20232024-1500.md").write_text(
        source.read_text(encoding="utf-8").replace("1064", "1500"), encoding="utf-8"
    )
    changed = corpus / "ah-tk-20232024-302.md"
    changed.write_bytes(changed.read_bytes() + b"\nEen extra zin.\n")
    segments = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in generation.glob("*MAIN_*")}
    report = build_index(corpus, live)
    assert (report.added, report.updated) == (1, 1)
    assert hashlib.sha256((generation / RECORDS).read_bytes()).hexdigest() == records
    # The new generation shares the unchanged segment files (hard links); none was written to.
    assert {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in generation.glob("*MAIN_*")} == segments
    newer = live / (live / CURRENT).read_text().strip()
    shared = [p for p in newer.glob("MAIN_*.seg") if (generation / p.name).exists()]
    assert shared and all(p.stat().st_ino == (generation / p.name).stat().st_ino for p in shared)
    expected = build_index(corpus, full, full=True)
    assert _generation_files(live) == _generation_files(full)
    assert [p.line() for p in report.skipped] == [p.line() for p in expected.skipped]
    assert [p.line() for p in report.warnings] == [p.line() for p in expected.warnings]


def test_two_builds_within_one_second_both_publish(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An incremental build can take less than a second: the next generation's name, made of
    the second and the process id, must not be the live one's."""
    import shutil
    from datetime import datetime

    from kvsearch.indexer import build as indexer
    from kvsearch.storage.generations import CURRENT

    class Frozen(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> Frozen:
            return cls(2026, 11, 29, 8, 0, 0, tzinfo=tz)

    monkeypatch.setattr(indexer, "datetime", Frozen)
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(SAMPLE_CORPUS, corpus)
    indexer.build_index(corpus, index)
    first = (index / CURRENT).read_text()
    source = next(corpus.iterdir())
    source.write_text(source.read_text(encoding="utf-8") + "\nEen extra zin.\n", encoding="utf-8")
    assert indexer.build_index(corpus, index).updated == 1
    assert (index / CURRENT).read_text() != first
    assert sorted(p.name for p in index.glob("gen-*")) == sorted([first.strip(), (index / CURRENT).read_text().strip()])


def test_full_disk_in_sqlite_is_a_write_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite reports a full disk as its own error: the build still says "no space left" (exit
    73), removes its folder and leaves the live index."""
    import shutil
    import sqlite3

    from kvsearch.errors import IndexWriteError
    from kvsearch.indexer.build import build_index
    from kvsearch.indexer.records import Catalog
    from kvsearch.storage.generations import CURRENT

    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(SAMPLE_CORPUS, corpus)
    build_index(corpus, index)
    live = (index / CURRENT).read_text()

    def full_disk(self: Catalog, folder: Path) -> None:
        error = sqlite3.OperationalError("database or disk is full")
        error.sqlite_errorcode = sqlite3.SQLITE_FULL
        raise error

    monkeypatch.setattr(Catalog, "publish", full_disk)
    with pytest.raises(IndexWriteError, match="no space left on device"):
        build_index(corpus, index, full=True)
    assert (index / CURRENT).read_text() == live
    assert not any(p.name.startswith(".build-") for p in index.iterdir())


@pytest.mark.slow
def test_parallel_segments_hold_what_one_writer_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kvsearch.indexer import write
    from kvsearch.indexer.build import build_index
    from kvsearch.storage.generations import CURRENT

    corpus = REAL_CORPUS
    dumps = []
    for jobs in (1, 2):
        monkeypatch.setattr(write, "WRITE_JOBS", jobs)
        monkeypatch.setattr(write, "PARALLEL_MIN_DOCUMENTS", 2)
        index = tmp_path / f"jobs{jobs}"
        build_index(corpus, index, full=True)
        got = dump(index / (index / CURRENT).read_text().strip())
        assert got.pop("segments") == jobs
        # A term's total weight is summed per segment in float32 and across segments in float64
        # (as after any incremental build); scoring never reads it (BM25F counts documents).
        for key, value in got["postings"].items():
            if key[-1] == "info":
                got["postings"][key] = (round(value[0], 3), *value[1:])
        dumps.append((got, _generation_files(index)))
    assert dumps[1][0]["postings"].keys() == dumps[0][0]["postings"].keys()
    assert dumps[1] == dumps[0]


@pytest.mark.parametrize("data", [{}, [], {"a": [1, "é"], "b": {"c": None}}, {str(n): "x" * n for n in range(400)}])
def test_json_written_in_pieces_is_one_dump(tmp_path: Path, data: Any) -> None:
    import gzip
    import json

    from kvsearch.indexer.publish import _dump_json, _write_json

    expected = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    _write_json(tmp_path / "plain.json", data)
    _write_json(tmp_path / "packed.json.gz", data)
    assert (tmp_path / "plain.json").read_bytes() == expected
    assert gzip.decompress((tmp_path / "packed.json.gz").read_bytes()) == expected

    class Pieces(list[bytes]):
        write = list.append

    pieces = Pieces()
    _dump_json(data, pieces, members=7)
    assert b"".join(pieces) == expected


def test_builds_keep_the_analysed_words_for_the_next_build(tmp_path: Path) -> None:
    """A build records each raw word's index terms (``records.sqlite``, table ``terms``); the
    next incremental build takes a word's terms from there instead of analysing it again, and
    a generation recorded before this existed still updates."""
    import shutil
    import sqlite3

    import kvsearch
    from kvsearch.indexer.build import build_index
    from kvsearch.indexer.records import RECORDS, read_records
    from kvsearch.storage.generations import CURRENT, file_checksum

    def live_generation() -> Path:
        return index / (index / CURRENT).read_text().strip()

    def rewritten(generation: Path) -> None:
        """Record the changed records file in the manifest, as if the generation had been
        written that way (a build refuses to carry on a file that changed after publishing)."""
        manifest = json.loads((generation / "manifest.json").read_text())
        manifest["files"][RECORDS] = list(file_checksum(generation / RECORDS))
        (generation / "manifest.json").write_text(json.dumps(manifest))

    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(SAMPLE_CORPUS, corpus)
    build_index(corpus, index, full=True)
    recorded = read_records(live_generation(), "terms")
    assert "neutraliteit" in recorded and len(recorded) > 200
    assert all(terms == " ".join(analysis.word_terms(word, query=False)) for word, terms in recorded.items())

    # The next build's answer for a word is the recorded one: a document new to the index, with
    # only words the records hold, is indexed with what they say.
    with sqlite3.connect(live_generation() / RECORDS) as records:
        records.execute("UPDATE terms SET terms = 'kvrecorded' WHERE word = 'neutraliteit'")
    rewritten(live_generation())
    source = next(corpus.glob("*.md"))
    (corpus / "ah-tk-20232024-1500.md").write_text(
        source.read_text(encoding="utf-8").replace("1064", "1500"), encoding="utf-8"
    )
    analysis.index_terms_cache().clear()  # as in the fresh process of a nightly build
    assert build_index(corpus, index).added == 1
    found = kvsearch.search("kvrecorded", index_dir=index)
    assert found.hits and {hit.doc_id for hit in found.hits} == {"ah-tk-20232024-1500"}
    assert read_records(live_generation(), "terms")["neutraliteit"] == "kvrecorded"  # carried on

    # Records without the table (written before it existed): the build analyses and records.
    with sqlite3.connect(live_generation() / RECORDS) as records:
        records.execute("DROP TABLE terms")
    rewritten(live_generation())
    (corpus / "ah-tk-20232024-1501.md").write_text(
        source.read_text(encoding="utf-8").replace("1064", "1501"), encoding="utf-8"
    )
    analysis.index_terms_cache().clear()
    assert build_index(corpus, index).added == 1
    assert read_records(live_generation(), "terms")["neutraliteit"] == "neutraliteit"


@pytest.mark.parametrize("writers", [1, 2])
def test_a_build_records_every_word_it_analysed_when_it_keeps_fewer_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, writers: int
) -> None:
    """A process keeps the index terms of at most ``INDEX_TERMS_LIMIT`` raw words and then
    starts over; the words it had are recorded first, so a large corpus's record lacks none
    (the next build and the highlighting look them up instead of analysing them again). In
    the building process, and in writer processes of their own."""
    import shutil

    from kvsearch.analysis import chain
    from kvsearch.indexer import write
    from kvsearch.indexer.build import build_index
    from kvsearch.indexer.records import read_records
    from kvsearch.storage.generations import CURRENT

    def recorded() -> dict[str, str]:
        return read_records(index / (index / CURRENT).read_text().strip(), "terms")

    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(SAMPLE_CORPUS, corpus)
    analysis.index_terms_cache().clear()
    build_index(corpus, index, full=True)
    everything = recorded()
    assert len(everything) > 200

    monkeypatch.setattr(chain, "INDEX_TERMS_LIMIT", 40)
    monkeypatch.setattr(write, "WRITE_JOBS", writers)
    monkeypatch.setattr(write, "PARALLEL_MIN_DOCUMENTS", 1)
    analysis.index_terms_cache().clear()
    build_index(corpus, index, full=True)
    assert recorded() == everything

    # An incremental build of a new document whose words the records lack.
    source = next(corpus.glob("*.md")).read_text(encoding="utf-8")
    new_words = [f"kvnieuwwoord{n}" for n in range(100)]
    (corpus / "ah-tk-20232024-1502.md").write_text(
        source.replace("1064", "1502").replace("neutraliteit", " ".join(new_words)), encoding="utf-8"
    )
    analysis.index_terms_cache().clear()
    assert build_index(corpus, index).added == 1
    after = recorded()
    assert set(new_words) <= set(after) and everything.items() <= after.items()


def test_a_generations_whoosh_files_read_back_through_the_engine(sample_index: Path) -> None:
    """What a build reads back before it publishes (``engine.index_files``): the stored passages
    of a document in passage order, the passage count, and the first canary term no passage
    holds; with a wrong count no term is looked at."""
    from kvsearch.engine.index_files import check_index, stored_passages
    from kvsearch.storage.generations import CURRENT, read_manifest

    generation = sample_index / (sample_index / CURRENT).read_text().strip()
    passages = read_manifest(generation)["passages"]
    document = next(d for d in load_corpus(SAMPLE_CORPUS).documents if len(d.passages) > 1)
    stored = list(stored_passages(generation, ["kv-no-such-document", document.doc_id]))
    assert len(stored) == 1
    assert [s["order"] for s in stored[0]] == list(range(len(document.passages)))
    assert [s["question"] for s in stored[0]] == [p.question for p in document.passages]
    word = max((t.text for t in analysis.building_chain().analyze(document.passages[0].question, query=True)), key=len)
    assert check_index(generation, passages, [("question", word)]) == (passages, None)
    assert check_index(generation, passages, [("question", word), ("answer", "zzqqxyzzy")]) == (passages, 1)
    assert check_index(generation, passages + 1, [("answer", "zzqqxyzzy")]) == (passages, None)
