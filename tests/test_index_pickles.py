"""The structure pickles of an index are walked before they are loaded: valid pickles of every
protocol load as ``pickle.load`` loads them, and a memo index no valid pickle could hold is
refused before the C unpickler grows its memo to reach it."""

from __future__ import annotations

import collections
import datetime
import io
import pickle
import pickletools
from pathlib import Path

import pytest

from kvsearch.engine import index_pickles
from kvsearch.engine.index_pickles import load_structure_pickle

SHARED = ["shared", 2]
RECURSIVE: list[object] = [1]
RECURSIVE.append(RECURSIVE)
VALUES: list[object] = [
    None,
    True,
    0,
    -1,
    255,
    65_535,
    2**31 - 1,
    -(2**31),
    2**64 + 7,
    -(2**200),
    1.5,
    "",
    "tekst met één accent",
    "x" * 300,
    b"",
    b"\x00\xff" * 200,
    bytearray(b"ab"),
    (),
    (1,),
    (1, 2),
    (1, 2, 3),
    (1, 2, 3, 4),
    {"MAIN_x.pst": {"offset": 12, "length": 49_991, "modified": 1_796_663_526.1}},
    [SHARED, SHARED, (SHARED,)],
    {1, 2},
    frozenset({"a"}),
    collections.OrderedDict(a=1),
    datetime.date(2024, 5, 1),
    RECURSIVE,
]


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_valid_pickles_load_as_pickle_loads_them_and_stop_at_their_end(protocol: int) -> None:
    for value in VALUES:
        data = pickle.dumps(value, protocol) + pickle.dumps("next", protocol)
        file = io.BytesIO(data)
        loaded = load_structure_pickle(file)
        assert repr(loaded) == repr(pickle.loads(data)), (protocol, value)
        assert load_structure_pickle(file) == "next"
        assert file.tell() == len(data)


def test_the_walk_knows_every_opcode_and_what_follows_it() -> None:
    """The walk's own table, held to ``pickletools``' description of each opcode."""
    widths = {-2: 1, -3: 4, -4: 4, -5: 8}  # pickletools' codes for a length of that many bytes
    for opcode in pickletools.opcodes:
        code = opcode.code.encode("latin-1")[0]
        if opcode.arg is None:
            assert code in index_pickles._WITHOUT_ARGUMENT or code == index_pickles._STOP, opcode.name
        elif opcode.arg.n > 0:
            assert index_pickles._FIXED_WIDTH[code] == opcode.arg.n, opcode.name
        elif opcode.arg.n == -1:
            assert index_pickles._LINES[code] == (2 if opcode.arg.name.endswith("_pair") else 1), opcode.name
        else:
            assert index_pickles._LENGTH_THEN_DATA[code] == widths[opcode.arg.n], opcode.name
            signed = opcode.arg.name in ("string4", "long4")
            assert (code in index_pickles._SIGNED_LENGTH) == signed, opcode.name
    known = {opcode.code.encode("latin-1")[0] for opcode in pickletools.opcodes}
    listed = [
        *index_pickles._WITHOUT_ARGUMENT,
        *index_pickles._FIXED_WIDTH,
        *index_pickles._LENGTH_THEN_DATA,
        *index_pickles._LINES,
        index_pickles._STOP,
    ]
    assert len(listed) == len(set(listed)) and set(listed) == known


HEADER = pickle.PROTO + b"\x05" + pickle.NONE
DAMAGED = {
    "LONG_BINPUT far along": HEADER + pickle.LONG_BINPUT + (676_135_784).to_bytes(4, "little") + pickle.STOP,
    "BINPUT past the opcodes": HEADER + pickle.BINPUT + b"\x09" + pickle.STOP,
    "PUT far along": pickle.NONE + pickle.PUT + b"400000000\n" + pickle.STOP,
    "PUT of no number": pickle.NONE + pickle.PUT + b"x\n" + pickle.STOP,
    "an unknown opcode": HEADER + b"\xff" + pickle.STOP,
    "no STOP": HEADER,
    "a cut argument": HEADER + pickle.LONG_BINPUT + b"\x00",
    "a cut line": pickle.NONE + pickle.PUT + b"1",
    "a negative length": pickle.PROTO + b"\x02" + pickle.BINSTRING + (-5).to_bytes(4, "little", signed=True),
    "data past the end": HEADER + pickle.BINBYTES8 + (2**62).to_bytes(8, "little") + pickle.STOP,
}


@pytest.mark.parametrize("data", DAMAGED.values(), ids=DAMAGED.keys())
def test_damaged_pickles_are_refused_before_loading(data: bytes, tmp_path: Path) -> None:
    with pytest.raises(pickle.UnpicklingError):
        load_structure_pickle(io.BytesIO(data))
    (tmp_path / "damaged").write_bytes(b"header" + data)
    with (tmp_path / "damaged").open("rb") as file, pytest.raises(pickle.UnpicklingError):
        file.seek(len(b"header"))
        load_structure_pickle(file)


def test_the_first_memo_slots_of_a_valid_pickle_pass() -> None:
    data = pickle.NONE + pickle.PUT + b"0\n" + pickle.POP + pickle.GET + b"0\n" + pickle.STOP
    assert load_structure_pickle(io.BytesIO(data)) is None
