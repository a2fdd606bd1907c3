"""The dictionary-compressed stored-fields column gives back every value exactly, and is
smaller than Whoosh's own column on real passages."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.columns import CompressedBytesColumn
from whoosh.filedb.filestore import RamStorage

from kvsearch.engine.stored_column import TRAINING_VALUES, DictionaryCompressedColumn
from kvsearch.indexer.passages import passage_records
from kvsearch.ingest.corpus import load_corpus
from tests.conftest import REAL_CORPUS


def write_and_read(column, values: dict[int, bytes], doccount: int) -> tuple[list[bytes], int]:
    storage = RamStorage()
    out = storage.create_file("column")
    writer = column.writer(out)
    for docnum in sorted(values):
        writer.add(docnum, values[docnum])
    writer.finish(doccount)
    length = out.tell()
    out.close()
    reader = column.reader(storage.open_file("column"), 0, length, doccount)
    assert len(reader) == doccount
    assert list(reader) == [reader[n] for n in range(doccount)]
    return [reader[n] for n in range(doccount)], length


@pytest.mark.parametrize("count", [0, 1, TRAINING_VALUES - 1, TRAINING_VALUES, TRAINING_VALUES * 2 + 7])
def test_values_come_back_exactly(count: int) -> None:
    # Gaps (documents without stored fields) and empty values, as Whoosh writes them.
    values = {n * 2: f"passage {n} · vraag {n % 7} ëï".encode() * (n % 5) for n in range(count)}
    doccount = count * 2 + 3
    got, _ = write_and_read(DictionaryCompressedColumn(), values, doccount)
    assert got == [values.get(n, b"") for n in range(doccount)]


def test_smaller_than_whooshs_column_on_real_passages() -> None:
    corpus = REAL_CORPUS
    records = [r for d in load_corpus(corpus).documents for r in passage_records(d)]
    values = {n: pickle.dumps(record, 2) for n, record in enumerate(records)}
    ours, ours_size = write_and_read(DictionaryCompressedColumn(), values, len(values))
    _, whoosh_size = write_and_read(CompressedBytesColumn(), values, len(values))
    assert ours == list(values.values())
    if len(values) >= TRAINING_VALUES:  # the shared corpus (about 1,050 passages): a third smaller
        assert ours_size < whoosh_size * 0.8
    else:  # the test corpus: too few passages for a dictionary, Whoosh's own compression
        assert ours_size <= whoosh_size * 1.05


@settings(max_examples=40, deadline=None)
@given(st.sets(st.binary(min_size=1, max_size=12), max_size=600))
def test_term_table_file_is_whooshs(keys: set[bytes]) -> None:
    """The compact term table writes, byte for byte, the file Whoosh's writer writes."""
    from whoosh.filedb.filestore import RamStorage
    from whoosh.filedb.filetables import OrderedHashReader, OrderedHashWriter

    from kvsearch.engine.schema import _TermTable

    storage = RamStorage()

    def compact(handle):
        return _TermTable.taking_over(OrderedHashWriter(handle))

    for name, make in (("whoosh", OrderedHashWriter), ("compact", compact)):
        table = make(storage.create_file(name))
        table.extras["fieldmap"] = {"answer": 0}
        for key in sorted(keys):
            table.add(key, key[::-1])
        table.close()
    assert storage.files["compact"] == storage.files["whoosh"]
    reader = OrderedHashReader.open(storage, "compact")
    assert all(reader[key] == key[::-1] for key in keys)


@settings(max_examples=30, deadline=None)
@given(st.sets(st.binary(min_size=1, max_size=12), min_size=1, max_size=300), st.integers(1, 50))
def test_remembered_term_lookups_are_whooshs(keys: set[bytes], remembered: int) -> None:
    """The search's term table answers every lookup (present or not, asked again, after it
    forgot what it remembered) exactly as Whoosh's own reader of the same file."""
    from whoosh.filedb.filestore import RamStorage
    from whoosh.filedb.filetables import OrderedHashReader, OrderedHashWriter

    from kvsearch.engine.schema import _RememberingTermTable

    storage = RamStorage()
    table = OrderedHashWriter(storage.create_file("terms"))
    for key in sorted(keys):
        table.add(key, key[::-1])
    table.close()
    whoosh = OrderedHashReader.open(storage, "terms")
    ours = _RememberingTermTable.taking_over(OrderedHashReader.open(storage, "terms"))
    ours.REMEMBERED_KEYS = remembered
    asked = sorted(keys) + [key + b"\x00" for key in sorted(keys)]  # and keys it does not hold
    for _round in range(2):
        for key in asked:
            assert list(ours.ranges_for_key(key)) == list(whoosh.ranges_for_key(key))
            assert (key in ours) == (key in whoosh)
            assert ours.get(key) == whoosh.get(key)
    assert 0 < len(ours._remembered) <= remembered


def test_index_reads_terms_through_the_remembering_table(real_index: Path) -> None:
    """Every segment of a real index looks its terms up through the remembering table, and a
    term's document frequency read twice is Whoosh's count of its postings."""
    from kvsearch.engine.schema import _RememberingTermTable
    from kvsearch.searcher import open_searcher

    with open_searcher(real_index) as (searcher, _info):
        for leaf, _offset in searcher.whoosh.leaf_searchers():
            reader = leaf.reader()
            assert isinstance(reader._terms._tindex, _RememberingTermTable)
            for fieldname, text in list(reader.all_terms())[:200:7]:
                postings = sum(1 for _ in reader.postings(fieldname, text).all_ids())
                assert reader.doc_frequency(fieldname, text) == postings
                assert reader.doc_frequency(fieldname, text) == postings


def test_field_lengths_are_whooshs(real_index: Path) -> None:
    """kvsearch's field lengths (read from the segment's length bytes at once) are what
    Whoosh's own per-document reader gives, for every passage and text field of a real index.
    (The posting blocks are held to Whoosh's format in ``tests/test_indexing.py`` and
    ``tests/test_packed_postings.py``.)"""
    from whoosh.codec.whoosh3 import W3PerDocReader

    from kvsearch.searcher import open_searcher
    from kvsearch.searcher.fields import TEXT_FIELDS

    checked = 0
    with open_searcher(real_index) as (searcher, _info):
        for leaf, _offset in searcher.whoosh.leaf_searchers():
            reader = leaf.reader()
            for fieldname in TEXT_FIELDS:
                for docnum in range(reader.doc_count_all()):
                    ours = reader.doc_field_length(docnum, fieldname)
                    assert ours == W3PerDocReader.doc_field_length(reader._perdoc, docnum, fieldname)
                    checked += 1
    assert checked > 0


@pytest.mark.parametrize("count", [0, 1, 5_000, 40_000])
def test_offsets_are_whooshs_whether_stored_or_summed(count: int) -> None:
    """Up to 32,768 values, a column stores only their lengths and the reader sums them into
    offsets; the sums must be Whoosh's, and a column with stored offsets is read as Whoosh does."""
    from whoosh.columns import VarBytesColumn

    from kvsearch.engine.stored_column import _ValuesReader

    storage = RamStorage()
    out = storage.create_file("column")
    writer = VarBytesColumn().writer(out)
    for docnum in range(0, count, 3):
        writer.add(docnum, b"x" * (docnum % 17))
    writer.finish(count)
    length = out.tell()
    out.close()
    ours = _ValuesReader(storage.open_file("column"), 0, length, count)
    whooshs = VarBytesColumn.Reader(storage.open_file("column"), 0, length, count)
    assert ours.had_stored_offsets == whooshs.had_stored_offsets == (count > 2**15)
    assert (ours._offsets.tolist(), ours._lengths.tolist()) == (whooshs._offsets.tolist(), whooshs._lengths.tolist())
    assert list(ours) == list(whooshs)
