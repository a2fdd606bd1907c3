"""kvsearch.engine.whoosh_import's reader of memory-mapped index files behaves like the BytesIO it
replaces (which copied the whole mapped file), for every operation Whoosh uses."""

from __future__ import annotations

import io
import pickle

from hypothesis import given
from hypothesis import strategies as st

from kvsearch.engine.whoosh_import import MappedFile

OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("read"), st.integers(min_value=-1, max_value=70)),
        st.tuples(st.just("seek"), st.integers(min_value=0, max_value=80), st.sampled_from([0, 1, 2])),
        st.tuples(st.just("readinto"), st.integers(min_value=0, max_value=30)),
        st.tuples(st.just("tell")),
    ),
    max_size=30,
)


@given(data=st.binary(max_size=64), operations=OPERATIONS)
def test_mapped_file_reads_like_bytesio(data: bytes, operations: list[tuple]) -> None:
    mapped, reference = MappedFile(memoryview(data)), io.BytesIO(data)
    for operation in operations:
        if operation[0] == "read":
            assert mapped.read(operation[1]) == reference.read(operation[1])
        elif operation[0] == "seek":
            offset = operation[1] if operation[2] != 2 else -min(operation[1], len(data))
            offset = offset if operation[2] != 1 else min(operation[1], 5)
            assert mapped.seek(offset, operation[2]) == reference.seek(offset, operation[2])
        elif operation[0] == "readinto":
            ours, theirs = bytearray(operation[1]), bytearray(operation[1])
            assert mapped.readinto(ours) == reference.readinto(theirs)
            assert ours == theirs
        assert mapped.tell() == reference.tell()


def test_whoosh_reads_mapped_files_in_place_and_unpickles_from_them() -> None:
    from whoosh.filedb.structfile import BufferFile

    payload = pickle.dumps({"schema": [1, 2, 3]}, protocol=2)
    buffer = BufferFile(memoryview(b"\x00" * 4 + payload)[4:])
    assert isinstance(buffer.file, MappedFile)
    assert buffer.read_pickle() == {"schema": [1, 2, 3]}
