"""Stored fields compressed against a dictionary of the segment's own text.

Whoosh compresses each passage's stored fields (question, answer, notes, metadata) on its own
with zlib, so it cannot reuse what passages share: the formulas of Kamervragen ("Bent u
bekend met het bericht", "Kunt u aangeven"), party and ministry names, the keys of the
stored dictionary. This column primes zlib with a 32 KB dictionary made from a sample of the
first passages of the segment, stored at the start of the column, so that each passage's
stored fields need only what is new in them, at the same compression speed. Stored fields are
a large part of the index, so this keeps the index smaller than Whoosh's own.

Column layout: a 4-byte little-endian dictionary length, the dictionary, then Whoosh's own
``VarBytesColumn`` of the compressed values (offsets relative to its start).
"""

from __future__ import annotations

import struct
import zlib
from array import array
from collections.abc import Iterator
from itertools import accumulate
from typing import Any

import kvsearch.engine.whoosh_import  # noqa: F401  (before any whoosh module: a lighter Whoosh import)

# isort: split
from whoosh.columns import Column, ColumnReader, ColumnWriter, VarBytesColumn

#: zlib keeps a window of 32 KB: a longer dictionary would not be used.
DICTIONARY_BYTES = 32 * 1024
#: Values held back until the dictionary is made; a segment with fewer gets no dictionary
#: (for a handful of passages the dictionary would be larger than what it saves).
TRAINING_VALUES = 1000
#: The level Whoosh uses: higher levels save little on text this repetitive and slow the build.
LEVEL = 3

_HEADER = struct.Struct("<I")


def make_dictionary(values: list[bytes], size: int = DICTIONARY_BYTES) -> bytes:
    """Evenly spaced sample values joined, cut to ``size`` (zlib matches nearest text best,
    so what is cut is the start)."""
    if len(values) < TRAINING_VALUES:
        return b""
    step = max(1, len(values) // 200)
    sample = b"".join(values[::step])
    return sample[-size:]


class DictionaryCompressedColumn(Column):
    """Variable-length byte strings, deflated against a dictionary trained on the first values."""

    def writer(self, dbfile: Any) -> DictionaryCompressedColumn.Writer:
        return self.Writer(dbfile)

    def reader(self, dbfile: Any, basepos: int, length: int, doccount: int) -> DictionaryCompressedColumn.Reader:
        return self.Reader(dbfile, basepos, length, doccount)

    class Writer(ColumnWriter):
        def __init__(self, dbfile: Any) -> None:
            self._dbfile = dbfile
            self._pending: list[tuple[int, bytes]] | None = []
            self._values: VarBytesColumn.Writer | None = None
            self._primed: Any = None

        def add(self, docnum: int, value: bytes) -> None:
            if self._pending is not None:
                self._pending.append((docnum, value))
                if len(self._pending) >= TRAINING_VALUES:
                    self._start()
                return
            assert self._values is not None
            self._values.add(docnum, self._compress(value))

        def _start(self) -> None:
            """Write the dictionary, then the values held back."""
            pending, self._pending = self._pending or [], None
            dictionary = make_dictionary([value for _, value in pending])
            self._dbfile.write(_HEADER.pack(len(dictionary)) + dictionary)
            if dictionary:
                self._primed = zlib.compressobj(LEVEL, zlib.DEFLATED, 15, 9, zlib.Z_DEFAULT_STRATEGY, dictionary)
            self._values = VarBytesColumn.Writer(self._dbfile)
            for docnum, value in pending:
                self._values.add(docnum, self._compress(value))

        def _compress(self, value: bytes) -> bytes:
            if not value:
                return value
            if self._primed is None:
                return zlib.compress(value, LEVEL)
            compressor = self._primed.copy()  # copying the primed state is cheaper than priming
            return compressor.compress(value) + compressor.flush()

        def finish(self, doccount: int) -> None:
            if self._pending is not None:
                self._start()
            assert self._values is not None
            self._values.finish(doccount)

    class Reader(ColumnReader):
        def __init__(self, dbfile: Any, basepos: int, length: int, doccount: int) -> None:
            (size,) = _HEADER.unpack(dbfile.get(basepos, _HEADER.size))
            self._dictionary = bytes(dbfile.get(basepos + _HEADER.size, size)) if size else b""
            start = basepos + _HEADER.size + size
            self._values = _ValuesReader(dbfile, start, length - (start - basepos), doccount)

        def _decompress(self, value: bytes) -> bytes:
            if not value:
                return b""
            if not self._dictionary:
                return zlib.decompress(value)
            inflater = zlib.decompressobj(zdict=self._dictionary)
            return inflater.decompress(value) + inflater.flush()

        def __len__(self) -> int:
            return len(self._values)

        def __getitem__(self, docnum: int) -> bytes:
            return self._decompress(self._values[docnum])

        def __iter__(self) -> Iterator[bytes]:
            for value in self._values:
                yield self._decompress(value)

        def load(self) -> list[bytes]:
            return list(self)


class _ValuesReader(VarBytesColumn.Reader):
    """Whoosh's reader of the compressed values, with the values' offsets summed from their
    lengths in C.

    A column of up to 32,768 values stores only their lengths, and Whoosh sums them into
    offsets one by one in Python when the column is opened: work in proportion to the
    segment's passages at every first search of a process."""

    def _read_offsets_and_lengths(self) -> None:
        dbfile = self._dbfile
        last_byte = self._basepos + self._length - 1
        lengths_code = chr(dbfile.get_byte(last_byte))
        if lengths_code == "X":  # the offsets are stored: Whoosh reads them as they are
            super()._read_offsets_and_lengths()
            return
        size = struct.calcsize(lengths_code)
        self._lengths = dbfile.get_array(last_byte - size * self._doccount, lengths_code, self._doccount)
        self.had_stored_offsets = False
        offsets = array("L", accumulate(self._lengths, initial=0))
        offsets.pop()  # the sum of all lengths: where the values end, not where one starts
        self._offsets = offsets
