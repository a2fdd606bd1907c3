"""Whoosh's structure pickles read so that damaged bytes cannot ask for gigabytes.

A segment file ends with a pickled directory of its parts, and Whoosh reads that and other
small pickles (a table of contents' segment list, a column's block lengths) each time an index
is opened. CPython's C unpickler keeps its memo in an array that it grows to any index a
``PUT`` opcode names: one flipped byte that turns into ``LONG_BINPUT`` with an index of
hundreds of millions makes it allocate and zero gigabytes before anything fails, so a search of
a damaged index, which should fail at once, took tens of seconds and much of the machine's memory.

A valid pickle puts at most one memo entry per opcode, numbered from 0, so no index can exceed
the number of opcodes read so far. :func:`load_structure_pickle` walks the opcodes first,
executing nothing and skipping over the data they carry, and refuses a pickle that breaks that
rule; only then does the C unpickler load it. The walk is written out here rather than taken
from ``pickletools.genops``, whose import alone costs more than the walks of a whole search
(a one-liner opens the index in every process).

Per posting block, only values are pickled (ids, weights and positions are packed arrays).
kvsearch writes the values of a block as one bytes object, and
:func:`kvsearch.engine.packed_postings._stored_values` takes them from their one shape of
pickle without the unpickler, walking any other shape first. A passage's stored fields are
pickled and deflated: damage fails zlib's check before anything is unpickled.
"""

from __future__ import annotations

import io
import pickle
from typing import IO, Any

# Each opcode of pickle's protocols 0 to 5 by what follows it.
_WITHOUT_ARGUMENT = frozenset(b"\x97\x98N\x88\x89]ael)t\x85\x86\x87}dsu\x8f\x90\x9102(1\x94\x93RbQo\x81\x92")
_FIXED_WIDTH = {
    **dict.fromkeys(b"Khq\x80\x82", 1),
    **dict.fromkeys(b"M\x83", 2),
    **dict.fromkeys(b"Jjr\x84", 4),
    **dict.fromkeys(b"G\x95", 8),
}
_LENGTH_THEN_DATA = {
    **dict.fromkeys(b"\x8aUC\x8c", 1),
    **dict.fromkeys(b"\x8bTBX", 4),
    **dict.fromkeys(b"\x8e\x96\x8d", 8),
}
_SIGNED_LENGTH = frozenset(b"\x8bT")
_LINES = {**dict.fromkeys(b"ILSVFgpP", 1), **dict.fromkeys(b"ci", 2)}
_STOP = pickle.STOP[0]
_PUT, _BINPUT, _LONG_BINPUT = pickle.PUT[0], pickle.BINPUT[0], pickle.LONG_BINPUT[0]


def load_structure_pickle(file: IO[bytes]) -> Any:
    """The object pickled in ``file`` at its position (which is left after the pickle's end);
    :class:`pickle.UnpicklingError` when a memo index is beyond what the pickle could hold,
    an opcode is unknown or the data ends early."""
    start = file.tell()
    _check_memo_indexes(file)
    file.seek(start)
    return pickle.load(file)


def _check_memo_indexes(file: IO[bytes]) -> None:
    opcodes = 0
    while True:
        read = file.read(1)
        if not read:
            raise pickle.UnpicklingError("the pickle ends before its STOP")
        code = read[0]
        opcodes += 1
        if code in _WITHOUT_ARGUMENT:
            continue
        if code == _STOP:
            return
        index: int | None = None
        if (width := _FIXED_WIDTH.get(code)) is not None:
            argument = _exactly(file, width)
            if code in (_BINPUT, _LONG_BINPUT):
                index = int.from_bytes(argument, "little")
        elif (width := _LENGTH_THEN_DATA.get(code)) is not None:
            length = int.from_bytes(_exactly(file, width), "little", signed=code in _SIGNED_LENGTH)
            if length < 0:
                raise pickle.UnpicklingError(f"a negative length in opcode {code:#04x}")
            try:  # past the data without reading it; the next read fails if that is past the end
                file.seek(length, io.SEEK_CUR)
            except (OSError, OverflowError) as error:  # beyond what the file system can seek to
                raise pickle.UnpicklingError(f"a length of {length} bytes: the pickle is damaged") from error
        elif (lines := _LINES.get(code)) is not None:
            for _ in range(lines):
                line = file.readline()
                if not line.endswith(b"\n"):
                    raise pickle.UnpicklingError("the pickle ends inside a line")
            if code == _PUT:
                try:
                    index = int(line)
                except ValueError:
                    raise pickle.UnpicklingError("a memo index that is not a number") from None
        else:
            raise pickle.UnpicklingError(f"unknown opcode {code:#04x}: the pickle is damaged")
        if index is not None and index >= opcodes:
            raise pickle.UnpicklingError(f"memo index {index} after {opcodes} opcodes: the pickle is damaged")


def _exactly(file: IO[bytes], size: int) -> bytes:
    data = file.read(size)
    if len(data) != size:
        raise pickle.UnpicklingError("the pickle ends inside an opcode's argument")
    return data
