"""kvsearch's packed posting blocks: they hold exactly what was written, Whoosh's own searcher
reads them through the codec with kvsearch's hits and scores, kvsearch's bulk readers see
what a matcher sees posting by posting, and an index of the older format is refused."""

from __future__ import annotations

import json
import pickle
import shutil
import zlib
from array import array
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import formats
from whoosh.collectors import TopCollector
from whoosh.filedb.filestore import FileStorage, RamStorage
from whoosh.index import FileIndex
from whoosh.system import pack_uint

from kvsearch import search
from kvsearch.engine import match_sets, packed_postings
from kvsearch.engine.bulk_scores import pair_arrays, position_arrays, posting_arrays
from kvsearch.engine.packed_postings import (
    WEIGHTS_CODED,
    WEIGHTS_EACH,
    WEIGHTS_MASK,
    PackedLeafMatcher,
    PackedPostingsWriter,
    block_size,
    every_posting,
    some_postings,
)
from kvsearch.engine.query_trees import has_coordination
from kvsearch.engine.schema import KvCodec, PairWeights
from kvsearch.indexer.build import build_index
from kvsearch.query import NATURAL_LANGUAGE_WORDS, parse_query
from kvsearch.searcher import open_searcher, plan
from kvsearch.searcher.fields import TEXT_FIELDS
from kvsearch.searcher.run import run
from kvsearch.storage.generations import MANIFEST, live_generation
from tests.conftest import TEST_CORPUS, run_cli
from tests.test_searcher import QUERIES

postings_lists = st.lists(
    st.tuples(
        st.integers(min_value=1, max_value=200_000),  # gap to the previous id: 8, 16 and 32 bit
        st.sampled_from([1.0, 1.0, 1.2, 1.5, 2.4, 3.0, 7.5]),
        # position gaps: 8, 16 and 32 bit in the blocks' runs
        st.lists(st.integers(1, 40) | st.integers(1, 70_000), min_size=1, max_size=5),
    ),
    min_size=1,
    max_size=700,
)


@settings(max_examples=80, deadline=None)
@given(postings_lists, st.sampled_from([0, 3]), st.sampled_from([1, 5, 128]), st.booleans())
def test_blocks_give_back_what_was_written(postings: list[Any], compression: int, blocklimit: int, long: bool) -> None:
    """Ids, weights, positions and block bounds come back exactly, through Whoosh's matcher
    interface and through the bulk arrays, whichever width, weights and compression a block has,
    and in a long list (``long``), whose weights are coded."""
    ids = array("I")
    doc = -1
    for gap, _weight, _positions in postings:
        doc += gap
        ids.append(doc)
    weights = [weight for _gap, weight, _positions in postings]
    fmt = formats.Positions()
    values = [fmt.encode([sum(gaps[: i + 1]) for i in range(len(gaps))]) for _gap, _weight, gaps in postings]
    lengths = array("I", [0]) * (ids[-1] + 1)
    for n, d in enumerate(ids):
        lengths[d] = (n % 40) * 3
    storage = RamStorage()
    out = storage.create_file("postings")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(packed_postings, "LONG_LIST", 1 if long else packed_postings.LONG_LIST)
        info = PackedPostingsWriter(out, blocklimit=blocklimit, compression=compression).write_postings(
            fmt, ids, weights, values, lengths
        )
    out.close()
    start, length = info.extent()
    matcher = PackedLeafMatcher(storage.open_file("postings"), start, length, fmt)
    layouts = [frame[3] for frame in matcher.frames(None, from_first=True)]
    if long:  # never deflated; coded wherever a block's weights differ
        assert not any(layout & packed_postings._PACKED_DEFLATED for layout in layouts)
        assert all(layout & WEIGHTS_MASK != WEIGHTS_EACH for layout in layouts)
    else:
        assert all(layout & WEIGHTS_MASK != WEIGHTS_CODED for layout in layouts)
    read = []
    while matcher.is_active():
        read.append((matcher.id(), matcher.weight(), matcher.value()))
        assert matcher.block_max_id() >= matcher.id() >= matcher.block_min_id()
        assert matcher.block_max_weight() == pytest.approx(max(matcher.block_max_weight(), matcher.weight()), rel=1e-6)
        matcher.next()
    assert read == [(d, float(array("f", [w])[0]), v) for d, w, v in zip(ids, weights, values, strict=True)]
    assert info.doc_frequency() == len(ids) and info.max_id() == ids[-1]
    # The positions of a whole block at once, as the phrase matching reads them.
    matcher = PackedLeafMatcher(storage.open_file("postings"), start, length, fmt)
    in_bulk = []
    while matcher.is_active():
        assert matcher._read_positions()
        in_bulk.extend(every_posting(*matcher._positions))
        matcher._next_block()
    assert in_bulk == [list(fmt.decode_positions(v)) for v in values]
    # Some postings of a block, the others only summed over (a phrase with a rarer word).
    matcher = PackedLeafMatcher(storage.open_file("postings"), start, length, fmt)
    done = 0
    while matcher.is_active():
        count = matcher._blocklength
        for wanted in ([0], [count - 1], list(range(1, count, 3)), list(range(count))):
            data = matcher._buf[matcher._valuestart : matcher._blockend]
            expected = [in_bulk[done + i] for i in wanted]
            assert some_postings(data, matcher._layout, count, wanted) == expected
            assert matcher._positions_of(wanted) == expected
        done += count
        matcher._next_block()
    # The bulk readers: a block's ids and weights at once, only the wanted blocks.
    leaf = _Leaf(storage, start, length, fmt)
    wanted = set(ids[::7])
    got = match_sets._blocks_read(leaf.matcher(), sorted(wanted))
    assert wanted <= {d for block in got for d in block}
    # A whole list's weights in one loop over its frames, among some documents or all, and
    # from a block further on.
    stored = {d: float(array("f", [w])[0]) for d, w in zip(ids, weights, strict=True)}
    for among in (None, wanted, set(ids[1::3]) | {ids[-1] + 1}, set()):
        ordered = None if among is None else sorted(among)
        expected = {d: w for d, w in stored.items() if among is None or d in among}
        assert leaf.matcher().weights_among(among, ordered) == expected
        assert leaf.matcher().weights_among(among, ordered, weights=False) == dict.fromkeys(expected, 1.0)
        placed = dict(zip(ids, in_bulk, strict=True))
        assert leaf.matcher().positions_among(among, ordered) == {d: (w, placed[d]) for d, w in expected.items()}
    matcher = leaf.matcher()
    if not matcher._lastblock:
        matcher._next_block()
    later = {d: w for d, w in stored.items() if d >= matcher.id()} if matcher.is_active() else {}
    assert matcher.weights_among(None, None) == later
    assert not matcher.is_active()
    # The whole list as arrays (bulk_scores), the blocks' id widths mixed, wherever the matcher
    # stands (Whoosh's ArrayUnionMatcher reads its parts ahead when it is built).
    for moved in (0, 1, len(ids)):
        matcher = leaf.matcher()
        for _ in range(moved):
            matcher.next()
        found_ids, found_weights = posting_arrays(matcher)
        assert found_ids.tolist() == list(ids)
        assert found_weights.tolist() == [stored[d] for d in ids]
    # Their positions too: how many each posting has, and all of them in order.
    found = position_arrays(leaf.matcher())
    assert found is not None
    assert found[0].tolist() == list(ids) and found[1].tolist() == [stored[d] for d in ids]
    assert found[2].tolist() == [len(positions) for positions in in_bulk]
    assert found[3].tolist() == [position for positions in in_bulk for position in positions]
    # Only the postings of some documents, with their positions: a few of each block (the
    # others' gaps only summed over), or most of them.
    placed = dict(zip(ids, in_bulk, strict=True))
    for among in (set(ids[::9]), set(ids[::2]) | {ids[-1] + 1}, set(ids[1::3]), {ids[-1]}, {ids[0]}, set()):
        found = position_arrays(leaf.matcher(), np.array(sorted(among), dtype=np.int64))
        assert found is not None
        kept = [d for d in ids if d in among]
        assert found[0].tolist() == kept and found[1].tolist() == [stored[d] for d in kept]
        assert found[2].tolist() == [len(placed[d]) for d in kept]
        assert found[3].tolist() == [position for d in kept for position in placed[d]]
    # Only the blocks that may hold some documents: at least their postings, each as stored.
    for among in (wanted, {ids[-1]}, set()):
        some_ids, some_weights = posting_arrays(leaf.matcher(), sorted(among))
        read_some = dict(zip(some_ids.tolist(), some_weights.tolist(), strict=True))
        assert among <= read_some.keys()
        assert read_some == {d: stored[d] for d in read_some}
        assert some_ids.tolist() == sorted(read_some)


@pytest.mark.parametrize("distinct", [2, 256, 257])
def test_a_long_lists_weights_are_coded_up_to_256_distinct_ones(distinct: int) -> None:
    """A long list's block keeps a code per posting into its table of weights while it has
    at most 256 distinct ones, else a float each; either way every weight reads back as
    stored (float32), posting by posting and in bulk, and the first of two blocks as well."""
    weights = [1.0 + (n % distinct) * 0.37 for n in range(2 * 600)]
    ids = array("I", range(0, 3 * len(weights), 3))
    leaf = _long_list(formats.Frequency(), ids, weights, [b""] * len(ids), largest_block=600)
    kinds = {frame[3] & WEIGHTS_MASK for frame in leaf.matcher().frames(None, from_first=True)}
    assert kinds == {WEIGHTS_CODED if distinct <= 256 else WEIGHTS_EACH}
    stored = [float(weight) for weight in array("f", weights)]
    matcher = leaf.matcher()
    one_by_one = []
    while matcher.is_active():
        one_by_one.append(matcher.weight())
        matcher.next()
    assert one_by_one == stored
    found_ids, found_weights = posting_arrays(leaf.matcher())
    assert found_ids.tolist() == list(ids) and found_weights.tolist() == stored
    first_block = posting_arrays(leaf.matcher(), [0])
    assert first_block[1].tolist() == stored[:600]
    assert leaf.matcher().weights_among({ids[5], ids[900]}, [ids[5], ids[900]]) == {
        ids[5]: stored[5],
        ids[900]: stored[900],
    }


@pytest.mark.parametrize("pairs", [True, False])
def test_a_long_list_keeps_its_values_deflated_unless_searches_read_them_whole(pairs: bool) -> None:
    """A word pair's weights, which a phrase reads for the whole list, stay as they are in a
    long list; a keyword's frequencies, which no search reads, are deflated as in any list.
    Either way they read back as written."""
    fmt: Any = PairWeights(1.0) if pairs else formats.Frequency()
    ids = array("I", range(0, 6000, 2))
    values = [PairWeights.VALUE.pack(n % 7, n % 5) if pairs else pack_uint(n % 3 + 1) for n in range(len(ids))]
    leaf = _long_list(fmt, ids, [1.0] * len(ids), values)
    deflated = {
        bool(frame[3] & packed_postings._VALUES_DEFLATED) for frame in leaf.matcher().frames(None, from_first=True)
    }
    assert deflated == {not pairs}
    assert [value for _id, value in leaf.matcher().all_items()] == values
    if pairs:
        found = pair_arrays(leaf.matcher())
        assert found is not None
        assert found[1].tolist() == [n % 7 for n in range(len(ids))] and found[2].tolist() == [
            n % 5 for n in range(len(ids))
        ]


@pytest.mark.parametrize("size", [0, 8, 248, 256, 65_528, 65_536, 80_000])
@pytest.mark.parametrize("deflated", [False, True])
def test_stored_values_read_back_without_the_unpickler_and_damaged_ones_are_refused(size: int, deflated: bool) -> None:
    """Fixed-size values are one bytes object, pickled with one, four or (near 64 KiB) a frame's
    length: each reads back as written, deflated or not. A pickle of another shape is walked
    first, so that one naming a memo slot far along is refused before the unpickler grows its
    memo to reach it."""
    values = bytes(range(256)) * (size // 256) + bytes(size % 256)
    stored = packed_postings._pickled(values)
    layout = packed_postings._VALUES_DEFLATED if deflated else 0
    read = packed_postings._stored_values(zlib.compress(stored) if deflated else stored, layout)
    assert type(read) is bytes and read == values
    assert packed_postings._stored_values(memoryview(stored), 0) == values  # a block of a mapped file
    others = ((1, 2.5), b"ab", None)  # another format's values, as Whoosh keeps them
    assert packed_postings._stored_values(pickle.dumps(others, 2), 0) == others
    damaged = (
        pickle.PROTO + b"\x05" + pickle.NONE + pickle.LONG_BINPUT + (100_000_000).to_bytes(4, "little") + pickle.STOP
    )
    with pytest.raises(pickle.UnpicklingError):
        packed_postings._stored_values(zlib.compress(damaged) if deflated else damaged, layout)


def _long_list(
    fmt: Any, ids: array, weights: list[float], values: list[bytes], largest_block: int | None = None
) -> _Leaf:
    """``ids`` with their ``weights`` and ``values`` written as a long list, at the compression
    level a build uses, in blocks of up to ``largest_block`` postings."""
    storage = RamStorage()
    out = storage.create_file("postings")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(packed_postings, "LONG_LIST", 1)
        if largest_block is not None:
            patch.setattr(packed_postings, "LARGEST_BLOCK", largest_block)
        info = PackedPostingsWriter(out, blocklimit=128, compression=3).write_postings(fmt, ids, weights, values, None)
    out.close()
    return _Leaf(storage, *info.extent(), fmt)


class _Leaf:
    def __init__(self, storage: Any, start: int, length: int, fmt: Any) -> None:
        self.args = (storage.open_file("postings"), start, length, fmt)

    def matcher(self) -> PackedLeafMatcher:
        return PackedLeafMatcher(*self.args)


def test_a_compressed_block_takes_less_room_than_whooshs(tmp_path: Path) -> None:
    """The packed format of a long posting list is smaller than Whoosh's pickled blocks."""
    from whoosh.codec.whoosh3 import W3PostingsWriter, W3TermInfo

    fmt = formats.Positions()
    ids = array("I", range(3, 300_000, 37))
    weights = [float(1 + (d % 3)) for d in ids]
    values = [fmt.encode(list(range(1, int(w) + 1))) for d, w in zip(ids, weights, strict=True)]
    sizes = {}
    for name, writer_class in (("packed", PackedPostingsWriter), ("whoosh", W3PostingsWriter)):
        storage = RamStorage()
        out = storage.create_file("postings")
        writer = writer_class(out, blocklimit=128, compression=3)
        writer.start_postings(fmt, W3TermInfo())
        for d, w, v in zip(ids, weights, values, strict=True):
            writer.add_posting(d, w, v)
        writer.finish_postings()
        sizes[name] = out.tell()
    assert sizes["packed"] < sizes["whoosh"]


def test_positions_are_stored_as_they_are_and_deflated_ones_still_read() -> None:
    """A block's positions are not deflated (a phrase wants a few postings of a block), the
    packed ids and weights only when that makes them smaller; a block written with its
    positions deflated, as indexes were before, gives back the same positions."""
    import struct
    import zlib

    from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC

    from kvsearch.engine import packed_postings as packed

    fmt = formats.Positions()
    positions = [[3 + d % 7, 40 + d % 11, 90] for d in range(128)]
    values = [fmt.encode(p) for p in positions]
    ids = array("I", range(5, 5 + 3 * 128, 3))
    weights = array("f", [3.0 if d % 2 else 1.5 for d in range(128)])
    block = packed.encode_block(ids, weights, values, 3.0, 1, 50, 3, positions=values)
    header = packed._HEADER.unpack_from(block)
    layout = header[4]
    assert layout & packed._FLAT_POSITIONS and not layout & packed._VALUES_DEFLATED
    assert layout & packed._PACKED_DEFLATED  # 128 ids three apart and two weights deflate well
    few = packed.encode_block(array("I", [1, 90_000, 4_000_000]), array("f", [1.5, 2.5, 3.5]), None, 3.5, 1, 9, 3)
    assert not packed._HEADER.unpack_from(few)[4] & packed._PACKED_DEFLATED  # deflated, it would be larger

    valuestart = packed._HEADER.size + header[-1]
    older = bytearray(block[:valuestart])
    older[struct.calcsize("<HIId")] |= packed._VALUES_DEFLATED  # the layout byte
    older += block[valuestart : valuestart + 1] + zlib.compress(block[valuestart + 1 :], 3)
    for written in (block, bytes(older)):
        storage = RamStorage()
        out = storage.create_file("postings")
        out.write(WHOOSH3_HEADER_MAGIC + packed._LENGTH.pack(-len(written)) + written)
        size = out.tell()
        out.close()
        matcher = PackedLeafMatcher(storage.open_file("postings"), 0, size, fmt)
        assert list(matcher.all_ids()) == list(ids)
        matcher = PackedLeafMatcher(storage.open_file("postings"), 0, size, fmt)
        assert matcher._read_positions() and every_posting(*matcher._positions) == positions
        assert matcher._positions_of([1, 100]) == [positions[1], positions[100]]


@pytest.fixture(scope="module")
def larger_blocks_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test corpus indexed with larger blocks for its lists of 40 postings or more (all
    its lists are far shorter than ``LONG_LIST``): up to 300 postings and about 600 positions
    a block."""
    index = tmp_path_factory.mktemp("larger-blocks") / "index"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(packed_postings, "LONG_LIST", 40)
        patch.setattr(packed_postings, "LARGEST_BLOCK", 300)
        patch.setattr(packed_postings, "BLOCK_POSITIONS", 600)
        build_index(TEST_CORPUS, index, full=True)
    return index


@pytest.mark.parametrize("mapped", [True, False])
@pytest.mark.parametrize("indexed", ["real_index", "larger_blocks_index"])
def test_whooshs_own_searcher_reads_the_codec_with_kvsearchs_hits_and_scores(
    request: pytest.FixtureRequest, indexed: str, mapped: bool
) -> None:
    """Whoosh opens the generation itself (its ``FileStorage``, table of contents and segments;
    the codec comes pickled with each segment) and searches it with its own collector and
    matchers: the hits and scores are kvsearch's, for the searcher tests' query set, in
    Whoosh's blocks and in the larger blocks of long lists."""
    real_index = request.getfixturevalue(indexed)
    generation = live_generation(real_index)
    assert generation is not None
    index = FileIndex(FileStorage(str(generation), supports_mmap=mapped, readonly=True))
    compared = 0
    with open_searcher(real_index) as (opened, _info), index.searcher() as whoosh_searcher:
        assert all(type(s.codec()) is KvCodec for s in index._segments())
        for text in QUERIES:
            parsed = parse_query(text, None)
            natural = parsed.is_plain and len(parsed.words) > NATURAL_LANGUAGE_WORDS
            tree = plan.build_query(parsed, opened, any_word=natural)
            if has_coordination(tree):
                continue  # Whoosh's coordination bonus skips terms going from match to match
            hits, total = run(opened, tree, 10, "relevance")
            collector = TopCollector(limit=10, usequality=False, replace=0)
            whoosh_searcher.search_with_collector(tree, collector)
            results = collector.results()
            assert [h.passage_id for h in hits] == [r["passage_id"] for r in results], text
            assert [h.score for h in hits] == pytest.approx([r.score for r in results], rel=1e-9), text
            assert total == len(results), text
            compared += bool(hits)
    assert compared >= 10


def test_bulk_reads_are_what_the_matcher_reads_posting_by_posting(real_index: Path) -> None:
    """For every term of the text fields of a real index: the block-at-a-time readers of
    ``match_sets`` (ids, weights, positions in bulk) give exactly what the matcher gives posting
    by posting (positions in Whoosh's encoding), and blocks are crossed (``tests/test_indexing.py`` holds the matcher to
    Whoosh's own format, posting by posting and block by block)."""
    checked, several_blocks, _largest, _coded = _bulk_reads_checked(real_index)
    assert checked > 0 and several_blocks > 0


def _bulk_reads_checked(index: Path) -> tuple[int, int, int, int]:
    """The checks of the test above on every text term of ``index``: the postings checked,
    the lists of more than one block of Whoosh's size, the most postings of one block, and
    the blocks whose weights are coded."""
    checked = several_blocks = largest = coded = 0
    with open_searcher(index) as (searcher, _info):
        for leaf, _offset in searcher.whoosh.leaf_searchers():
            reader = leaf.reader()
            for fieldname in TEXT_FIELDS:
                for btext in reader.lexicon(fieldname):
                    matcher = reader.postings(fieldname, btext)
                    if not isinstance(matcher, PackedLeafMatcher):
                        continue
                    one_by_one = {}
                    while matcher.is_active():
                        one_by_one[matcher.id()] = (matcher.weight(), matcher.value())
                        matcher.next()
                    weights = match_sets.term_weights(leaf, reader, fieldname, btext)
                    assert weights == {doc: weight for doc, (weight, _value) in one_by_one.items()}
                    found_ids, found_weights = posting_arrays(reader.postings(fieldname, btext))
                    assert dict(zip(found_ids.tolist(), found_weights.tolist(), strict=True)) == weights
                    # Only the blocks that may hold some documents: theirs among what is read,
                    # every id and weight read as the matcher reads it, blocks skipped between.
                    for step in (3, 31, 200):
                        wanted = sorted(one_by_one)[::step]
                        found_ids, found_weights = posting_arrays(reader.postings(fieldname, btext), wanted)
                        read_in_blocks = dict(zip(found_ids.tolist(), found_weights.tolist(), strict=True))
                        assert set(wanted) <= set(read_in_blocks) and found_ids.tolist() == sorted(read_in_blocks)
                        assert read_in_blocks == {doc: weights[doc] for doc in read_in_blocks}
                    arrays = position_arrays(reader.postings(fieldname, btext))
                    assert arrays is not None
                    ends = np.cumsum(arrays[2]).tolist()
                    each = [arrays[3][end - count : end].tolist() for end, count in zip(ends, arrays[2], strict=True)]
                    assert dict(zip(arrays[0].tolist(), zip(arrays[1].tolist(), each, strict=True), strict=True)) == {
                        doc: (weight, list(matcher.format.decode_positions(value)))
                        for doc, (weight, value) in one_by_one.items()
                    }
                    positions = {
                        doc: (weight, list(matcher.format.decode_positions(value)))
                        for doc, (weight, value) in one_by_one.items()
                    }
                    assert match_sets._postings(leaf, reader, fieldname, btext, None) == positions
                    # Among some documents, only theirs are decoded: from the whole block's
                    # positions, or (a few of a block's) from its gaps alone.
                    for step in (1, 3, 7, 31):
                        among = set(list(one_by_one)[::step])
                        expected = {doc: positions[doc] for doc in among}
                        assert match_sets._postings(leaf, reader, fieldname, btext, among) == expected
                    some = set(list(one_by_one)[::5])
                    assert match_sets.posting_ids(leaf, reader, fieldname, btext, some) == some
                    assert match_sets.term_weights(leaf, reader, fieldname, btext, some | {-1}) == {
                        doc: weights[doc] for doc in some
                    }
                    checked += len(one_by_one)
                    several_blocks += len(one_by_one) > 128
                    frames = list(matcher.frames(None, from_first=True))
                    largest = max(largest, max(count for _w, count, *_rest in frames))
                    coded += sum(layout & WEIGHTS_MASK == WEIGHTS_CODED for _w, _n, _f, layout, *_rest in frames)
    return checked, several_blocks, largest, coded


def test_a_long_list_gets_larger_blocks_unless_it_has_many_positions() -> None:
    smallest = 128
    assert block_size([9.0] * (packed_postings.LONG_LIST - 1), True, smallest) == smallest
    largest = packed_postings.LARGEST_BLOCK
    # No positions: filters, word pairs.
    assert block_size([9.0] * packed_postings.LONG_LIST, False, smallest) == largest
    assert block_size([1.0, 2.0, 1.0] * 40_000, True, smallest) == largest  # about once a passage
    assert block_size([4.0] * 100_000, True, smallest) == packed_postings.BLOCK_POSITIONS // 4
    assert block_size([40.0] * 100_000, True, smallest) == smallest  # "het": many a passage


def test_lists_in_larger_blocks_read_and_rank_as_in_whooshs_blocks(test_index: Path, larger_blocks_index: Path) -> None:
    """An index whose long lists have larger blocks and coded weights: each posting reads back as written, and
    every search (scored on arrays, in Python as a one-liner, uncounted, with facets) finds the
    same hits with the same scores as in Whoosh's blocks of 128."""
    checked, several_blocks, largest, coded = _bulk_reads_checked(larger_blocks_index)
    assert checked > 0 and several_blocks > 0 and coded > 0
    assert 128 < largest <= 300
    for text in QUERIES:
        for options in ({}, {"once": True}, {"once": True, "count": False}, {"facets": True}):
            usual = search(text, index_dir=test_index, limit=20, **options)  # type: ignore[arg-type]
            larger = search(text, index_dir=larger_blocks_index, limit=20, **options)  # type: ignore[arg-type]
            assert [hit.passage_id for hit in larger.hits] == [hit.passage_id for hit in usual.hits], text
            assert [hit.score for hit in larger.hits] == pytest.approx([hit.score for hit in usual.hits], rel=1e-9)
            assert (larger.total, larger.facets) == (usual.total, usual.facets), text


def test_an_index_of_the_older_posting_format_is_refused_with_the_rebuild_hint(tmp_path: Path) -> None:
    index = tmp_path / "index"
    assert run_cli("index", "--corpus", str(TEST_CORPUS), "--index", str(index)).returncode in (0, 6)
    assert run_cli("kamer", "--index", str(index)).returncode == 0
    older = tmp_path / "older"
    shutil.copytree(index, older)
    generation = live_generation(older)
    assert generation is not None
    manifest = json.loads((generation / MANIFEST).read_text())
    manifest["versions"]["schema"] -= 1
    (generation / MANIFEST).write_text(json.dumps(manifest))
    refused = run_cli("kamer", "--index", str(older))
    assert refused.returncode == 3, refused.stderr
    assert "kvsearch index --full" in refused.stderr
