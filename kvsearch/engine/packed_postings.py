"""kvsearch's posting blocks: packed integer arrays, decoded in bulk by C code.

Whoosh stores a posting block as a pickled tuple of Python numbers (deflated): reading one
unpickles every id and weight as its own object, and undoes the delta coding of the ids in a
Python generator. A search reads thousands of blocks. Here a block is stored as arrays that
``array.frombytes`` reads in one call, with the ids summed by ``itertools.accumulate``: no
Python code runs per posting. Positions (the postings' values) are stored after the arrays,
apart, and only a phrase or proximity query reads them.

A posting list is still Whoosh's: the term table points at it, it starts with Whoosh's magic
bytes, and each block is framed by its length (negative for the last block). A block holds
Whoosh's 128 postings, or up to 1,024 in a long list (:func:`block_size`), and is::

    header   _HEADER: postings, first id, last id, highest weight, layout,
             shortest and longest field length (Whoosh's length bytes), packed size
    packed   id gaps (after the first id) as unsigned 8, 16 or 32 bit integers, then the
             weights: none (all 1.0), one float32 for all, a float32 each, or in a long
             list a one-byte code each into the block's table of its distinct weights
             (a byte: the table's size less one, the table as float32, the codes);
             deflated as one stream when the block has SMALL_BLOCK postings or more,
             is not in a long list, and deflating makes it smaller
    values   for a field of Whoosh's ``Positions`` format, its positions in bulk: a byte
             naming the two array types, then each posting's number of positions (unsigned)
             and the gaps between consecutive positions of the whole block (signed: a
             posting's first position is counted from the previous posting's last); one
             ``accumulate`` gives every position of the block. Not deflated: see below.
             For other formats, the values as Whoosh's reader keeps them, pickled, and
             deflated like the packed part, but in a long list only where searches do
             not read them whole (a format's ``VALUES_READ_WHOLE``). Absent for fields
             without values

A layout bit says whether each part is deflated, so a reader takes blocks written either way
(indexes written when positions were deflated too are read as they are). Positions are stored
as they are because a phrase with a rarer word wants the positions of a few postings in each
block of a common word, and inflating the whole block for them is a large part of what the
phrase costs; deflated, positions shrink only to about two thirds.

A long list (``LONG_LIST`` postings or more) is read whole, or nearly, by every search of its
word, and inflating its blocks would be a large part of such a search. Its blocks are not
deflated: with its weights as codes (a common word's weights are a few multiples of its
field's boost) and its id gaps mostly one byte, a posting takes two bytes, about twice its
deflated size, and ``frombuffer`` reads the blocks in place.

Integers are little-endian. The weights are float32, as Whoosh's writer stores them, so every
weight, and every score, is the one Whoosh's own format gives; the highest weight is kept as a
float64, as Whoosh keeps it, so block-skipping bounds are unchanged too. :class:`PackedLeafMatcher`
is a Whoosh matcher over these blocks (Whoosh's searcher and kvsearch's bulk readers use it
alike); :class:`PackedPostingsWriter` writes them, a posting at a time through Whoosh's
writer or a whole list at once from the index build.
"""

from __future__ import annotations

import bisect
import io
import itertools
import math
import operator
import pickle
import struct
import sys
import zlib
from array import array
from collections.abc import Iterable, Iterator
from typing import Any

import kvsearch.engine.whoosh_import  # noqa: F401  (before any whoosh module: a lighter Whoosh import)

# isort: split
from whoosh import formats
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3LeafMatcher, W3PostingsWriter, W3TermInfo
from whoosh.util.numeric import byte_to_length, length_to_byte

from kvsearch.engine.index_pickles import load_structure_pickle

#: A field length as Whoosh stores it (one byte) -> the length it stands for (0: none).
BYTE_LENGTHS = tuple(byte_to_length(code) for code in range(256))

#: Blocks of fewer postings are stored uncompressed (most terms occur in one or two passages):
#: a zlib stream costs more to start than such a block costs to read, and saves no space on it.
SMALL_BLOCK = 3

_LENGTH = struct.Struct("!i")  # Whoosh's block frame: the block's size, negative for the last
_HEADER = struct.Struct("<HIIdBBBH")

# The layout byte.
_ID_CODES = ("B", "H", "I")  # bits 0-1: the array type of the id gaps
_ID_SIZES = (1, 2, 4)
WEIGHTS_ONE, WEIGHTS_SAME, WEIGHTS_EACH, WEIGHTS_CODED = 0, 4, 8, 12  # bits 2-3: how the weights are stored
WEIGHTS_MASK = 12
_PACKED_DEFLATED = 16
_VALUES_DEFLATED = 32
_HAS_VALUES = 64
_FLAT_POSITIONS = 128
# The first byte of flat positions: bits 0-1 the counts' array type, bits 2-3 the gaps'.
_COUNT_CODES = ("B", "H", "I")
_GAP_CODES = ("b", "h", "i")

#: A posting list of this many postings or more is written in larger blocks (up to
#: ``LARGEST_BLOCK``), not deflated: reading a list in bulk costs a few Python calls and an
#: inflation per block, which for a list this long outweigh decoding its postings, and a
#: search of its word (or of a rarer word with it) reads most of its blocks anyway.
LONG_LIST = 2048
LARGEST_BLOCK = 1024
#: A larger block holds about this many positions at most: a phrase with a rarer word reads
#: the positions of every block that holds one of its passages, so a word found many times
#: in each passage (``het``) keeps smaller blocks.
BLOCK_POSITIONS = 2048

#: A block's positions are decoded posting by posting (:func:`some_postings`) when fewer
#: than one in this many of its postings are wanted; for more, the whole block at once is cheaper.
SOME_POSTINGS = 4

#: Arrays are stored little-endian; a big-endian machine swaps them after reading.
_SWAP = sys.byteorder == "big"


def _little(data: array) -> bytes:
    if _SWAP:
        data = array(data.typecode, data)
        data.byteswap()
    return data.tobytes()


def _array(typecode: str, data: Any) -> array:
    found = array(typecode)
    found.frombytes(data)
    if _SWAP:
        found.byteswap()
    return found


def _inflated(packed: Any, layout: int) -> Any:
    """A block's packed part (ids, then weights), inflated where the block deflated it."""
    return zlib.decompress(packed) if layout & _PACKED_DEFLATED else packed


def _ids_of(packed: Any, layout: int, count: int, first: int) -> Iterator[int]:
    """The ids of a block of ``count`` postings starting at ``first``, from its inflated packed part."""
    code = layout & 3
    return itertools.accumulate(_array(_ID_CODES[code], packed[: (count - 1) * _ID_SIZES[code]]), initial=first)


def _weights_of(packed: Any, layout: int, count: int) -> array:
    """Each posting's weight in a block of ``count``, from its inflated packed part (not read
    when every weight is 1.0)."""
    kind = layout & WEIGHTS_MASK
    if kind == WEIGHTS_ONE:
        return _ONES * count
    start = (count - 1) * _ID_SIZES[layout & 3]
    if kind == WEIGHTS_SAME:
        return _array("f", packed[start : start + 4]) * count
    if kind == WEIGHTS_CODED:
        table, codes = _coded_parts(packed, start, count)
        return array("f", map(_array("f", table).__getitem__, codes))
    return _array("f", packed[start : start + 4 * count])


def _coded_parts(packed: Any, start: int, count: int) -> tuple[Any, Any]:
    """A coded block's table of weights (float32 as stored) and its ``count`` codes, from its
    packed part, whose weights begin at ``start``."""
    tablestart = start + 1
    codestart = tablestart + 4 * (packed[start] + 1)
    return packed[tablestart:codestart], packed[codestart : codestart + count]


def _weight_codes(weights: array) -> tuple[bytes, bytes] | None:
    """``weights`` as a table of their distinct values (float32, as stored) and a one-byte code
    each; None for more than 256 distinct values."""
    table = sorted(set(weights))
    if len(table) > 256:
        return None
    code_of = {weight: code for code, weight in enumerate(table)}
    return _little(array("f", table)), bytes(map(code_of.__getitem__, weights))


def _flat_parts(data: Any, layout: int, count: int) -> tuple[int, int, Any, Any]:
    """A block's flat positions ``data`` (of ``count`` postings) cut apart: the array types of
    its position counts and of its gaps (indexes into ``_COUNT_CODES`` and ``_GAP_CODES``),
    the counts as stored and the gaps as stored."""
    codes = data[0]
    body = zlib.decompress(data[1:]) if layout & _VALUES_DEFLATED else data[1:]
    size = count * _ID_SIZES[codes & 3]
    return codes & 3, codes >> 2 & 3, body[:size], body[size:]


def _stored_values(data: Any, layout: int) -> Any:
    """A block's values as pickled (fixed-size values joined in one bytes object), inflated
    where the block deflated them.

    Values kept as they are (small blocks, the long lists of word pairs) have no checksum, and
    a damaged byte can make the C unpickler claim gigabytes (:mod:`kvsearch.engine.index_pickles`).
    The pickle of one bytes object, which is what kvsearch writes, has one shape: its bytes are
    taken from it without unpickling. Any other pickle is walked before it is loaded."""
    if layout & _VALUES_DEFLATED:
        data = zlib.decompress(data)
    end = len(data)
    if data[end - 2 :] == b"\x94." and data[:2] == b"\x80\x05":  # protocol 5 ... MEMOIZE, STOP
        if data[2] == 0x43 and data[3] == end - 6:  # SHORT_BINBYTES, one byte of length
            return bytes(data[4 : end - 2])
        if data[2] == 0x42 and int.from_bytes(data[3:7], "little") == end - 9:  # BINBYTES, four
            return bytes(data[7 : end - 2])
    return load_structure_pickle(io.BytesIO(data))


class PostingParts:
    """A posting list's blocks cut apart but not decoded, for a decoder of whole arrays
    (:mod:`kvsearch.engine.bulk_scores`). Per block: its first id, its number of postings and
    the array type of its id gaps (0-2, ``_ID_CODES``), how it stores its weights (its layout's
    weight bits, ``WEIGHTS_*``) and the weight of all its postings (NaN where each has its
    own). Per array type, the blocks' id gaps as stored (little-endian), in order, each block's
    after a zero of that type in the place of its first id; the weights of the blocks that
    keep one each (float32); and of the blocks that keep codes, their tables (float32) and
    their codes. With positions: per block the array types of its position counts and gaps
    (``_COUNT_CODES``, ``_GAP_CODES``) and its number of positions, and per type the blocks'
    counts and gaps as stored. With values: each block's fixed-size values as stored (pair
    weights: float32)."""

    __slots__ = (
        "firsts",
        "counts",
        "id_codes",
        "gaps",
        "weight_kinds",
        "block_weights",
        "each_weights",
        "code_tables",
        "codes",
        "count_codes",
        "gap_codes",
        "position_totals",
        "position_counts",
        "position_gaps",
        "values",
    )

    def __init__(self) -> None:
        self.firsts: list[int] = []
        self.counts: list[int] = []
        self.id_codes: list[int] = []
        self.gaps: tuple[list[Any], ...] = ([], [], [])
        self.weight_kinds: list[int] = []
        self.block_weights: list[float] = []
        self.each_weights: list[Any] = []
        self.code_tables: list[Any] = []
        self.codes: list[Any] = []
        self.count_codes: list[int] = []
        self.gap_codes: list[int] = []
        self.position_totals: list[int] = []
        self.position_counts: tuple[list[Any], ...] = ([], [], [])
        self.position_gaps: tuple[list[Any], ...] = ([], [], [])
        self.values: list[Any] = []


def posting_parts(matcher: PackedLeafMatcher, ordered: list[int] | None = None, read: str = "") -> PostingParts | None:
    """A posting list's blocks, from its first whatever block the matcher stands on (with
    ``ordered``, sorted document numbers: only the blocks whose id range holds one), cut apart
    (:class:`PostingParts`); ``read``: also "positions", or "values". None where a block keeps
    no positions in bulk, or no values, and they were asked for. The matcher is left past its end."""
    parts = PostingParts()
    buf = matcher._buf
    for wanted, count, first, layout, start, valuestart, end in matcher.frames(ordered, from_first=True):
        if not wanted:
            continue
        packed = _inflated(buf[start:valuestart], layout)
        code = layout & 3
        size = (count - 1) * _ID_SIZES[code]
        parts.firsts.append(first)
        parts.counts.append(count)
        parts.id_codes.append(code)
        parts.gaps[code].append(_FIRST_ID_SLOTS[code])
        parts.gaps[code].append(packed[:size])
        kind = layout & WEIGHTS_MASK
        parts.weight_kinds.append(kind)
        if kind == WEIGHTS_ONE:
            parts.block_weights.append(1.0)
        elif kind == WEIGHTS_SAME:
            parts.block_weights.append(_array("f", packed[size : size + 4])[0])
        elif kind == WEIGHTS_CODED:
            parts.block_weights.append(math.nan)
            table, codes = _coded_parts(packed, size, count)
            parts.code_tables.append(table)
            parts.codes.append(codes)
        else:
            parts.block_weights.append(math.nan)
            parts.each_weights.append(packed[size : size + 4 * count])
        if read == "positions":
            if not layout & _FLAT_POSITIONS:
                return None
            count_code, gap_code, counts, gaps = _flat_parts(buf[valuestart:end], layout, count)
            parts.count_codes.append(count_code)
            parts.gap_codes.append(gap_code)
            parts.position_totals.append(len(gaps) // _ID_SIZES[gap_code])
            parts.position_counts[count_code].append(counts)
            parts.position_gaps[gap_code].append(gaps)
        elif read == "values":
            if not layout & _HAS_VALUES or layout & _FLAT_POSITIONS:
                return None
            parts.values.append(_stored_values(buf[valuestart:end], layout))
    if matcher.is_active():
        matcher._past_the_last_block()
    return parts


def _pickled(value: Any) -> bytes:
    """``value`` pickled with protocol 5 (bytes as length and bytes, where Whoosh's protocol 2
    spells each as a call of ``_codecs.encode``); the frame opcode (only a read-ahead hint) is
    left out of a pickle that fits one frame."""
    data = pickle.dumps(value, 5)
    return data[:2] + data[11:] if data[2:3] == b"\x95" and len(data) <= 65536 else data


def encode_block(
    ids: Any,
    weights: array,
    values: Any,
    maxweight: float,
    minlength: int | None,
    maxlength: int,
    compression: int,
    positions: list[bytes] | None = None,
    long_list: bool = False,
    values_read_whole: bool = False,
) -> bytes:
    """One block (header, packed ids and weights, values) of ascending ``ids``, their float32
    ``weights`` and Whoosh's minified ``values`` (None for a field without values), or with
    ``positions`` (each posting's value in Whoosh's ``Positions`` encoding), the positions
    in bulk instead; ``long_list``: a block of a long list, its weights coded and its packed
    part not deflated, nor its values if ``values_read_whole``."""
    count = len(ids)
    gaps = list(map(operator.sub, itertools.islice(ids, 1, None), ids))
    widest = max(gaps, default=0)
    code = 0 if widest < 0x100 else 1 if widest < 0x10000 else 2
    layout = code
    packed = _little(array(_ID_CODES[code], gaps))
    if weights.count(1.0) == count:
        layout |= WEIGHTS_ONE
    elif weights.count(weights[0]) == count:
        layout |= WEIGHTS_SAME
        packed += _little(weights[:1])
    elif long_list and (coded := _weight_codes(weights)) is not None:
        layout |= WEIGHTS_CODED
        table, weight_codes = coded
        packed += bytes((len(table) // 4 - 1,)) + table + weight_codes
    else:
        layout |= WEIGHTS_EACH
        packed += _little(weights)
    deflate = compression if count >= SMALL_BLOCK else 0
    packed, deflated = _deflated(packed, 0 if long_list else deflate)
    layout |= _PACKED_DEFLATED if deflated else 0
    valuebytes = b""
    if positions is not None:
        layout |= _HAS_VALUES | _FLAT_POSITIONS
        codes, valuebytes = _flat_positions(positions)
        valuebytes = bytes((codes,)) + valuebytes
    elif values is not None:
        layout |= _HAS_VALUES
        valuebytes, deflated = _deflated(_pickled(values), 0 if long_list and values_read_whole else deflate)
        layout |= _VALUES_DEFLATED if deflated else 0
    header = _HEADER.pack(
        count,
        ids[0],
        ids[-1],
        maxweight,
        layout,
        length_to_byte(minlength),
        length_to_byte(maxlength),
        len(packed),
    )
    return header + packed + valuebytes


def _deflated(data: bytes, level: int) -> tuple[bytes, bool]:
    """``data`` deflated at ``level`` (0: not at all), and whether it was: a block of a few
    dozen postings often comes out larger, and is then kept as it is."""
    if level:
        smaller = zlib.compress(data, level)
        if len(smaller) < len(data):
            return smaller, True
    return data, False


def _width(smallest: int, largest: int) -> int:
    """The smallest of the 8, 16 and 32 bit array types (0, 1, 2) that holds both numbers."""
    if -0x80 <= smallest and largest < 0x80:
        return 0
    return 1 if -0x8000 <= smallest and largest < 0x8000 else 2


def _flat_positions(values: list[bytes]) -> tuple[int, bytes]:
    """The block's positions (each posting's in Whoosh's encoding) as counts and gaps, with
    the byte naming their array types."""
    counts = []
    gaps: list[int] = []
    last = 0
    decoded = _DECODED
    for value in values:
        known = decoded.get(value)
        if known is None:
            deltas = pickle.loads(value[_LENGTH.size :])  # Whoosh's gaps, the first from 0
            known = (deltas, sum(deltas))
            if len(decoded) < _DECODED_MAX:
                decoded[value] = known
        deltas, end = known
        counts.append(len(deltas))
        first = len(gaps)
        gaps.extend(deltas)
        gaps[first] -= last
        last = end
    count_code = 0 if max(counts) < 0x100 else 1 if max(counts) < 0x10000 else 2
    gap_code = _width(min(gaps), max(gaps))
    data = _little(array(_COUNT_CODES[count_code], counts)) + _little(array(_GAP_CODES[gap_code], gaps))
    return count_code | gap_code << 2, data


#: Whoosh-encoded positions -> (their gaps, the last position): most postings of a build have
#: one position, a few thousand distinct values; the cache is bounded for the rest.
_DECODED: dict[bytes, tuple[list[int], int]] = {}
_DECODED_MAX = 100_000

#: A posting's positions in Whoosh's ``Positions`` encoding, for the common single positions.
_ENCODED_SINGLE: dict[int, bytes] = {}


def whoosh_positions(positions: list[int]) -> bytes:
    """``positions`` encoded as ``whoosh.formats.Positions.encode`` encodes them."""
    if len(positions) == 1:
        position = positions[0]
        known = _ENCODED_SINGLE.get(position)
        if known is None:
            known = _ENCODED_SINGLE[position] = _UINT.pack(1) + pickle.dumps([position], 2)
        return known
    deltas = list(map(operator.sub, positions, itertools.chain((0,), positions)))
    return _UINT.pack(len(deltas)) + pickle.dumps(deltas, 2)


_UINT = struct.Struct("!I")


def block_lengths(lengths: array | None, block_ids: array) -> tuple[int | None, int]:
    """The shortest and longest field length (0 for none) of a posting block's documents, as
    Whoosh's postings writer records them: (None, 0) when no document has the field."""
    if lengths is None:
        return None, 0
    found = list(filter(None, map(lengths.__getitem__, block_ids)))
    return (min(found), max(found)) if found else (None, 0)


def posting_blocks(
    ids: array, weights: list[float], lengths: array | None, limit: int
) -> Iterator[tuple[int, int, array, list[float], float, int | None, int]]:
    """A posting list cut into Whoosh's blocks of ``limit`` postings: per block its ``start``
    and ``end``, ids, weights, highest weight (as given, not as stored in float32) and
    shortest and longest field length, which Whoosh's writer keeps per block."""
    total = len(ids)
    for start in range(0, total, limit):
        end = min(start + limit, total)
        block_ids = ids[start:end]
        given = weights[start:end]
        yield start, end, block_ids, given, max(0, max(given)), *block_lengths(lengths, block_ids)


def _mini_values(values: list[bytes], fixedsize: int | None) -> Any:
    """A block's values as Whoosh's writer minifies them (``W3PostingsWriter._mini_values``)."""
    if fixedsize is None or fixedsize < 0:
        return tuple(values)
    if fixedsize == 0:
        return None
    return b"".join(values)


class PackedPostingsWriter(W3PostingsWriter):
    """Whoosh's postings writer, writing packed blocks (see the module docstring)."""

    def _write_block(self, last: bool = False) -> None:
        if not self._blockcount:
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        flat = type(self._format) is formats.Positions and len(self._values) == len(self._ids)
        values = _mini_values(self._values, self._format.fixed_value_size())
        block = encode_block(
            self._ids,
            self._weights,
            values,
            self._maxweight,
            self._minlength,
            self._maxlength,
            self._compression,
            positions=self._values if flat else None,
        )
        self._postfile.write(_LENGTH.pack(-len(block) if last else len(block)))
        self._postfile.write(block)
        self._blockcount += 1
        self._new_block()

    def write_postings(
        self, format_: Any, ids: array, weights: list[float], values: list[bytes], lengths: array | None
    ) -> W3TermInfo:
        """A whole posting list at once: the blocks and term info ``add_posting`` for each
        posting and ``finish_postings`` would write, without their per-block bookkeeping
        (the index build writes every term this way)."""
        fixedsize = format_.fixed_value_size()
        positional = type(format_) is formats.Positions
        postfile = self._postfile
        startoffset = postfile.tell()
        postfile.write(WHOOSH3_HEADER_MAGIC)
        # Counted rather than asked of the file at the end: a file's position is a system call.
        length = len(WHOOSH3_HEADER_MAGIC)
        info = W3TermInfo()
        total = len(ids)
        size = block_size(weights, positional, self._blocklimit)
        long_list = total >= LONG_LIST
        values_read_whole = getattr(format_, "VALUES_READ_WHOLE", False)
        for start, end, block_ids, given, maxweight, minlength, maxlength in posting_blocks(
            ids, weights, lengths, size
        ):
            block_weights = array("f", given)
            # W3TermInfo.add_block
            info._weight += sum(block_weights)
            info._df += end - start
            info._minlength = minlength if info._minlength is None else min(info._minlength, minlength)
            info._maxlength = max(info._maxlength, maxlength)
            info._maxweight = max(info._maxweight, maxweight)
            if info._minid is None:
                info._minid = block_ids[0]
            info._maxid = block_ids[-1]
            given_values = list(filter(None, values[start:end]))
            flat = positional and len(given_values) == end - start
            block = encode_block(
                block_ids,
                block_weights,
                _mini_values(given_values, fixedsize),
                maxweight,
                minlength,
                maxlength,
                self._compression,
                positions=given_values if flat else None,
                long_list=long_list,
                values_read_whole=values_read_whole,
            )
            postfile.write(_LENGTH.pack(-len(block) if end == total else len(block)))
            postfile.write(block)
            length += _LENGTH.size + len(block)
        info.set_extent(startoffset, length)
        return info


def block_size(weights: list[float], positional: bool, smallest: int) -> int:
    """How many postings each block of a list with these ``weights`` holds (the last one the
    rest): ``smallest`` (Whoosh's block size) for most lists, more for a long one, as many as
    keep its blocks to about ``BLOCK_POSITIONS`` positions where its field has them
    (``positional``: its weights count them, times the field's boost)."""
    postings = len(weights)
    if postings < LONG_LIST:  # most lists: their weights are not summed
        return smallest
    if not positional:
        return LARGEST_BLOCK
    return max(smallest, min(LARGEST_BLOCK, int(BLOCK_POSITIONS * postings / sum(weights))))


def block_positions(data: Any, layout: int, count: int) -> tuple[list[int], list[int]]:
    """A block's positions from its flat positions ``data``: every position of the block in one
    list (absolute, ascending within a posting) and where each posting's start and end, so that
    posting ``i`` has ``flat[bounds[i]:bounds[i + 1]]``. Two ``frombytes`` and two
    ``accumulate``, in C; a posting's list is only made for the postings asked for."""
    count_code, gap_code, counts, gaps = _flat_parts(data, layout, count)
    bounds = list(itertools.accumulate(_array(_COUNT_CODES[count_code], counts), initial=0))
    flat = list(itertools.accumulate(_array(_GAP_CODES[gap_code], gaps)))
    return flat, bounds


def some_postings(data: Any, layout: int, count: int, wanted: Iterable[int]) -> list[list[int]]:
    """The positions of the block's postings ``wanted`` (ascending indexes) from its flat
    positions ``data``, without decoding the others: positions are stored as one run of
    gaps, so the postings skipped are only summed (in C), not turned into lists. A common
    word's block holds thousands of positions, of which a phrase with a rarer word wants a
    few postings'."""
    count_code, gap_code, counts, stored_gaps = _flat_parts(data, layout, count)
    bounds = list(itertools.accumulate(_array(_COUNT_CODES[count_code], counts), initial=0))
    gaps = _array(_GAP_CODES[gap_code], stored_gaps)
    found = []
    done = base = 0  # base: the sum of gaps[:done], the last position before gaps[done]
    for i in wanted:
        begin, end = bounds[i], bounds[i + 1]
        if begin > done:
            base += sum(gaps[done:begin])
        positions = list(itertools.accumulate(gaps[begin:end], initial=base))
        del positions[0]
        if positions:
            base = positions[-1]
        done = end
        found.append(positions)
    return found


def every_posting(flat: list[int], bounds: list[int]) -> list[list[int]]:
    """Each posting's positions, from :func:`block_positions`."""
    return list(map(flat.__getitem__, map(slice, bounds, itertools.islice(bounds, 1, None))))


class PackedLeafMatcher(W3LeafMatcher):
    """A Whoosh posting matcher over packed blocks.

    It reads a segment in place when the segment is memory-mapped (and a term's posting list
    into memory once otherwise). Moving to a block unpacks only its header; the ids, the
    weights and the values are each decoded on first use, in one call each. kvsearch's bulk
    readers (:mod:`kvsearch.engine.match_sets`) read ``_ids`` and ``_weights`` a block at a
    time; Whoosh's matchers read them a posting at a time, as from its own format.
    """

    # The current block's parts, each None until first read.
    _packed: Any
    _ids: Any
    _weights: Any
    _values: Any
    _positions: Any

    def _read_header(self) -> None:
        postfile = self._postfile
        buf = getattr(postfile, "_buf", None)
        if isinstance(buf, memoryview):
            self._buf, self._origin = buf, 0
        else:
            # A term info read from disk gives its length as a 1-tuple (``W3TermInfo.from_bytes``).
            length = self._length[0] if isinstance(self._length, tuple) else self._length
            postfile.seek(self._startoffset)
            self._buf, self._origin = memoryview(postfile.read(length)), self._startoffset
        start = self._startoffset - self._origin
        magic = bytes(self._buf[start : start + len(WHOOSH3_HEADER_MAGIC)])
        if magic != WHOOSH3_HEADER_MAGIC:
            raise ValueError(f"Block tag error {magic!r}")
        self._baseoffset = self._startoffset + len(WHOOSH3_HEADER_MAGIC)

    def _goto(self, position: int) -> None:
        self._packed = self._ids = self._weights = self._values = self._positions = None
        self._i = 0
        buf = self._buf
        at = position - self._origin
        (length,) = _LENGTH.unpack_from(buf, at)
        if length < 0:
            self._lastblock = True
            length = -length
        at += _LENGTH.size
        self._nextoffset = position + _LENGTH.size + length
        (
            self._blocklength,
            self._firstid,
            self._maxid,
            self._maxweight,
            self._layout,
            shortest,
            longest,
            packedsize,
        ) = _HEADER.unpack_from(buf, at)
        self._packedstart = at + _HEADER.size
        self._valuestart = self._packedstart + packedsize
        self._blockend = at + length
        self._minlength = BYTE_LENGTHS[shortest]
        self._maxlength = BYTE_LENGTHS[longest]

    def _read_packed(self) -> Any:
        self._packed = _inflated(self._buf[self._packedstart : self._valuestart], self._layout)
        return self._packed

    def _read_ids(self) -> None:
        packed = self._packed if self._packed is not None else self._read_packed()
        self._ids = tuple(_ids_of(packed, self._layout, self._blocklength, self._firstid))

    def _read_weights(self) -> None:
        packed = self._packed
        if packed is None and self._layout & WEIGHTS_MASK != WEIGHTS_ONE:
            packed = self._read_packed()
        self._weights = _weights_of(packed, self._layout, self._blocklength)

    def _read_positions(self) -> bool:
        """The block's positions into ``_positions``, as ``(flat, bounds)`` of
        :func:`block_positions`, decoded for the whole block at once; False (and nothing read)
        where the block keeps other values."""
        if not self._layout & _FLAT_POSITIONS:
            return False
        if self._positions is None:
            data = self._buf[self._valuestart : self._blockend]
            self._positions = block_positions(data, self._layout, self._blocklength)
        return True

    def _positions_of(self, wanted: list[int]) -> list[list[int]] | None:
        """The positions of the block's postings ``wanted`` (ascending indexes), decoding only
        those where they are few (:func:`some_postings`); None where the block keeps other values."""
        if not self._layout & _FLAT_POSITIONS:
            return None
        if self._positions is None and len(wanted) * SOME_POSTINGS < self._blocklength:
            data = self._buf[self._valuestart : self._blockend]
            return some_postings(data, self._layout, self._blocklength, wanted)
        self._read_positions()
        flat, bounds = self._positions
        return [flat[bounds[i] : bounds[i + 1]] for i in wanted]

    def frames(
        self, ordered: list[int] | None, from_first: bool = False
    ) -> Iterator[tuple[bool, int, int, int, int, int, int]]:
        """The blocks from the current one (``from_first``: from the list's first) to the last,
        read from their frames in the buffer in one loop, without moving the matcher (a move
        costs several Python calls, and a common word's list has hundreds of blocks). For
        each: whether its id range may hold one of ``ordered`` (sorted; every block when
        None), its postings, first id and layout, and where in ``_buf`` its packed part
        starts, its values start and it ends."""
        buf = self._buf
        at = self._baseoffset - self._origin if from_first else self._packedstart - _HEADER.size - _LENGTH.size
        while True:
            (length,) = _LENGTH.unpack_from(buf, at)
            count, first, last, _most, layout, _shortest, _longest, packedsize = _HEADER.unpack_from(
                buf, at + _LENGTH.size
            )
            start = at + _LENGTH.size + _HEADER.size
            wanted = ordered is None or bisect.bisect_right(ordered, last) > bisect.bisect_left(ordered, first)
            yield wanted, count, first, layout, start, start + packedsize, at + _LENGTH.size + abs(length)
            if length < 0:
                return
            at += _LENGTH.size + length

    def _past_the_last_block(self) -> None:
        self._lastblock = True
        self._next_block()

    def weights_among(
        self, among: set[int] | None, ordered: list[int] | None, weights: bool = True
    ) -> dict[int, float]:
        """From the current block to the last (:meth:`frames`): each posting's document with
        its weight (1.0 without ``weights``), only those of ``among`` when given (``ordered``:
        ``among`` sorted). A block whose id range holds none of ``among`` is not decoded. The
        matcher is left at its end."""
        found: dict[int, float] = {}
        if not self.is_active():
            return found
        buf, update = self._buf, found.update
        for wanted, count, first, layout, start, valuestart, _end in self.frames(ordered):
            if not wanted:
                continue
            packed = _inflated(buf[start:valuestart], layout)
            ids = list(_ids_of(packed, layout, count, first))
            kept = ids if among is None else among.intersection(ids)
            if not kept:
                continue
            kind = layout & WEIGHTS_MASK
            if not weights or kind == WEIGHTS_ONE:
                update(dict.fromkeys(kept, 1.0))
            elif kind == WEIGHTS_SAME:
                update(dict.fromkeys(kept, _weights_of(packed, layout, count)[0]))
            elif among is None:
                update(zip(ids, _weights_of(packed, layout, count), strict=True))
            else:  # Python only for the documents kept, not for the whole block
                block = dict(zip(ids, _weights_of(packed, layout, count), strict=True))
                update({doc: block[doc] for doc in kept})
        self._past_the_last_block()
        return found

    def positions_among(
        self, among: set[int] | None, ordered: list[int] | None
    ) -> dict[int, tuple[float, list[int]]] | None:
        """From the current block to the last (:meth:`frames`): each posting's document with
        its weight and positions, only those of ``among`` when given (``ordered``: ``among``
        sorted); a block's positions are decoded whole, or only the wanted postings' where they
        are few. None (and the matcher not moved) when a block it reads keeps no positions in
        bulk; else the matcher is left at its end."""
        found: dict[int, tuple[float, list[int]]] = {}
        if not self.is_active():
            return found
        buf = self._buf
        for wanted, count, first, layout, start, valuestart, end in self.frames(ordered):
            if not wanted:
                continue
            if not layout & _FLAT_POSITIONS:
                return None
            packed = _inflated(buf[start:valuestart], layout)
            ids = list(_ids_of(packed, layout, count, first))
            if among is None:
                places: Any = range(count)
            else:
                places = [bisect.bisect_left(ids, doc) for doc in sorted(among.intersection(ids))]
                if not places:
                    continue
            data = buf[valuestart:end]
            if len(places) * SOME_POSTINGS < count:
                positions = some_postings(data, layout, count, places)
            else:
                flat, bounds = block_positions(data, layout, count)
                positions = [flat[bounds[i] : bounds[i + 1]] for i in places]
            pairs = zip(map(_weights_of(packed, layout, count).__getitem__, places), positions, strict=True)
            found.update(zip(map(ids.__getitem__, places), pairs, strict=True))
        self._past_the_last_block()
        return found

    def _read_value_floats(self) -> array:
        """The block's fixed-size values read as one array of float32 (values that are packed
        floats, such as :class:`kvsearch.engine.schema.PairWeights`'), at once."""
        return _array("f", _stored_values(self._buf[self._valuestart : self._blockend], self._layout))

    def _read_values(self) -> None:
        fixedsize = self._fixedsize
        if self._layout & _FLAT_POSITIONS:  # Whoosh's encoding, for Whoosh's own matchers and merges
            self._read_positions()
            self._values = tuple(map(whoosh_positions, every_posting(*self._positions)))
            return
        if not self._layout & _HAS_VALUES or fixedsize == 0:
            self._values = (None,) * self._blocklength
            return
        values = _stored_values(self._buf[self._valuestart : self._blockend], self._layout)
        if fixedsize is None or fixedsize < 0:
            self._values = values
        else:
            self._values = tuple(values[i : i + fixedsize] for i in range(0, len(values), fixedsize))

    def block_min_id(self) -> int:
        return int(self._firstid)

    def _read_data(self) -> None:
        """Whoosh's whole-block read: here each part is read on its own, when first used."""
        self._read_ids()
        self._read_weights()
        self._read_values()


_ONES = array("f", [1.0])
#: Per array type of id gaps, a zero where :class:`PostingParts` keeps a block's first id.
_FIRST_ID_SLOTS = tuple(bytes(size) for size in _ID_SIZES)
