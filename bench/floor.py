"""What the bench's queries cost below kvsearch's own code: the floor Whoosh's index sets.

    python bench/floor.py --index INDEX --passages passages.jsonl --out floor.json

For each of the bench's warm queries (the same 40, drawn from ``passages.jsonl`` as
``run.py`` draws them), on an index ``run.py`` or ``kvsearch index`` built:

* ``search_ms``: ``kvsearch.search`` as the bench times it (warm, median of three);
* ``whoosh_ms``: Whoosh's own top 10 for the same query tree (``Searcher.search``: its
  matchers with block-quality skipping, and no count of the matches), once;
* ``floor_ms``: only decoding what that search read from the index: the posting blocks
  (header, inflate, unpack, ids) and the position lists, replayed without any of the
  search's own logic. No search that reads those postings through Whoosh's format can be
  faster; the blocks and position lists are counted too.

It answers "is the time in kvsearch's code, or in Whoosh's format?" with numbers, for
issue 7's warm p95 target at a million passages. It prints a table and p50/p95 per column.
"""

from __future__ import annotations

import argparse
import itertools
import json
import pickle
import statistics
import sys
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.run import make_queries, percentile  # noqa: E402
from bench.systems import query_text  # noqa: E402


class Reads:
    """What a search read while recording: block headers, block data, position lists."""

    def __init__(self) -> None:
        self.headers: list[tuple[Any, int]] = []  # mapped segment, block start
        self.blocks: list[tuple[Any, int, int, int]] = []  # mapped segment, data from, to, zlib level
        self.positions: list[bytes] = []  # position lists not kept in bulk
        self.position_blocks: list[tuple[Any, int, int]] = []  # flat positions, layout, postings


@contextmanager
def recording() -> Iterator[Reads]:
    """Records every block header and block kvsearch's block reader decodes, and every
    position list the phrase matching decodes (where a search reads postings in bulk)."""
    from kvsearch.engine import bulk_scores, schema
    from kvsearch.engine import match_sets as matchsets
    from kvsearch.engine.packed_postings import _FLAT_POSITIONS as FLAT_POSITIONS

    reads = Reads()
    matcher = schema.PackedLeafMatcher
    goto, read_data, positions_decoder = matcher._goto, matcher._read_packed, matchsets._positions_decoder
    read_positions = matcher._read_positions

    def recorded_goto(self: Any, position: int) -> None:
        reads.headers.append((self._buf, position - self._origin))
        goto(self, position)

    def recorded_read_data(self: Any) -> Any:
        reads.blocks.append((self._buf, self._packedstart, self._valuestart, self._layout, self._blocklength))
        return read_data(self)

    def recorded_decoder(format_: Any) -> Any:
        decode = positions_decoder(format_)

        def recorded(value: bytes) -> Any:
            reads.positions.append(value)
            return decode(value)

        return recorded

    def recorded_positions(self: Any) -> bool:
        if self._layout & FLAT_POSITIONS:
            reads.position_blocks.append(
                (self._buf[self._valuestart : self._blockend], self._layout, self._blocklength)
            )
        return read_positions(self)

    weights_among, positions_among = matcher.weights_among, matcher.positions_among

    def recorded_weights_among(self: Any, among: Any, ordered: Any, weights: bool = True) -> Any:
        _record_frames(self, among, ordered, reads, positions=False)
        return weights_among(self, among, ordered, weights)

    def recorded_positions_among(self: Any, among: Any, ordered: Any) -> Any:
        kept = len(reads.headers), len(reads.blocks), len(reads.position_blocks)
        _record_frames(self, among, ordered, reads, positions=True)  # before: the reader moves the matcher to its end
        found = positions_among(self, among, ordered)
        if found is None:  # blocks of another layout: the matcher's own reads, recorded by the other hooks
            del reads.headers[kept[0] :], reads.blocks[kept[1] :], reads.position_blocks[kept[2] :]
        return found

    parts = bulk_scores.posting_parts

    def recorded_parts(self: Any, ordered: Any = None, read: str = "") -> Any:
        # Scoring on arrays reads a whole list (or its wanted blocks) from its first block,
        # the positions of every block it reads whole.
        _record_frames(self, None, ordered, reads, positions=read == "positions", from_first=True)
        return parts(self, ordered, read)

    matcher._goto, matcher._read_packed = recorded_goto, recorded_read_data
    matcher._read_positions = recorded_positions
    matcher.weights_among, matcher.positions_among = recorded_weights_among, recorded_positions_among
    matchsets._positions_decoder = recorded_decoder
    bulk_scores.posting_parts = recorded_parts
    try:
        yield reads
    finally:
        matcher._goto, matcher._read_packed, matchsets._positions_decoder = goto, read_data, positions_decoder
        matcher._read_positions = read_positions
        matcher.weights_among, matcher.positions_among = weights_among, positions_among
        bulk_scores.posting_parts = parts


def _record_frames(
    matcher: Any, among: Any, ordered: Any, reads: Reads, positions: bool, from_first: bool = False
) -> None:
    """What the one-loop readers of a posting list read (``PackedLeafMatcher.weights_among``
    and ``positions_among``, and ``posting_parts`` ``from_first``), over the same frames
    (``PackedLeafMatcher.frames``): every block header, the packed part of each block that may
    hold one of ``among``, and the positions of each such block they decode whole."""
    from kvsearch.engine.packed_postings import _HEADER, _LENGTH, SOME_POSTINGS, _ids_of, _inflated

    if not from_first and not matcher.is_active():
        return
    buf = matcher._buf
    frames = matcher.frames(ordered, from_first=from_first)
    for number, (wanted, count, first, layout, start, valuestart, end) in enumerate(frames):
        if number:  # the first header was read when the matcher moved to it
            reads.headers.append((buf, start - _HEADER.size - _LENGTH.size))
        if not wanted:
            continue
        reads.blocks.append((buf, start, valuestart, layout, count))
        if positions:
            ids = _ids_of(_inflated(buf[start:valuestart], layout), layout, count, first)
            decoded = count if among is None else len(among.intersection(ids))
            if decoded and decoded * SOME_POSTINGS >= count:
                reads.position_blocks.append((buf[valuestart:end], layout, count))


def decoding_seconds(reads: Reads) -> float:
    """Time to decode just what was read: each block header (length and packed info), each
    block's packed ids (inflated, ids summed), each position list's positions."""
    from array import array

    from kvsearch.engine.packed_postings import _HEADER, _ID_CODES, _LENGTH, _PACKED_DEFLATED, block_positions

    started = time.perf_counter()
    for buf, position in reads.headers:
        _LENGTH.unpack_from(buf, position)
        _HEADER.unpack_from(buf, position + _LENGTH.size)
    for buf, start, end, layout, count in reads.blocks:
        data = buf[start:end]
        packed = zlib.decompress(data) if layout & _PACKED_DEFLATED else data
        code = _ID_CODES[layout & 3]
        tuple(itertools.accumulate(array(code, bytes(packed[: (count - 1) * array(code).itemsize])), initial=0))
    for data, layout, count in reads.position_blocks:
        block_positions(data, layout, count)
    for value in reads.positions:  # as whoosh.formats.Positions.decode_positions
        list(itertools.accumulate(pickle.loads(value[_LENGTH.size :] + b".")))
    return time.perf_counter() - started


def whoosh_seconds(index: Path, text: str) -> float:
    """Whoosh's own top 10 for kvsearch's query tree of ``text``."""
    from kvsearch.query import NATURAL_LANGUAGE_WORDS, parse_query
    from kvsearch.searcher import open_searcher
    from kvsearch.searcher.plan import build_query

    with open_searcher(index) as (opened, _info):
        parsed = parse_query(text)
        natural = parsed.is_plain and len(parsed.words) > NATURAL_LANGUAGE_WORDS
        tree = build_query(parsed, opened, any_word=natural)
        started = time.perf_counter()
        opened.whoosh.search(tree, limit=10)
        return time.perf_counter() - started


def measure(index: Path, spec: dict[str, Any]) -> dict[str, Any]:
    import kvsearch

    text = query_text("kvsearch", spec)
    kvsearch.search(text, index_dir=index, limit=10)  # warm, as the bench's untimed pass
    times = []
    for _ in range(3):
        started = time.perf_counter()
        result = kvsearch.search(text, index_dir=index, limit=10)
        times.append(time.perf_counter() - started)
    with recording() as reads:
        kvsearch.search(text, index_dir=index, limit=10)
    floors = [decoding_seconds(reads) for _ in range(3)]
    return {
        "kind": spec["kind"],
        "query": text,
        "matches": result.total,
        "search_ms": round(statistics.median(times) * 1000, 1),
        "whoosh_ms": round(whoosh_seconds(index, text) * 1000, 1),
        "floor_ms": round(statistics.median(floors) * 1000, 1),
        "headers": len(reads.headers),
        "blocks": len(reads.blocks),
        "position_lists": len(reads.positions),
        "position_blocks": len(reads.position_blocks),
    }


COLUMNS = ("search_ms", "whoosh_ms", "floor_ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", type=Path, required=True, help="A kvsearch index folder.")
    parser.add_argument(
        "--passages", type=Path, required=True, help="The bench's passages.jsonl (the queries' source)."
    )
    parser.add_argument("--queries", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("floor.json"))
    args = parser.parse_args()
    rows = [measure(args.index, spec) for spec in make_queries(args.passages, args.queries, args.seed)]
    rows.sort(key=lambda row: -row["search_ms"])
    print(f"{'search':>8} {'whoosh':>8} {'floor':>8} {'headers':>8} {'blocks':>7} {'pos.':>7}  kind    query")
    for row in rows:
        print(
            f"{row['search_ms']:8.1f} {row['whoosh_ms']:8.1f} {row['floor_ms']:8.1f} {row['headers']:8} "
            f"{row['blocks']:7} {row['position_lists'] + row['position_blocks']:7}  {row['kind']:7} {row['query'][:60]}"
        )
    summary = {
        column: {
            "p50": round(percentile([row[column] for row in rows], 0.5), 1),
            "p95": round(percentile([row[column] for row in rows], 0.95), 1),
        }
        for column in COLUMNS
    }
    for column, figures in summary.items():
        print(f"{column}: p50 {figures['p50']} ms, p95 {figures['p95']} ms")
    args.out.write_text(json.dumps({"queries": rows, "summary": summary}, indent=2, ensure_ascii=False) + "\n")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
