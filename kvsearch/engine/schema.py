"""The Whoosh side of kvsearch: the Dutch analyzer as a Whoosh tokenizer, and the schema.

The language rules live in :mod:`kvsearch.analysis`; this module only adapts them to Whoosh,
so index and query analysis are the same code by construction.
"""

from __future__ import annotations

import struct
from array import array
from collections.abc import Iterator
from typing import Any

import kvsearch.engine.whoosh_import  # noqa: F401  (before any whoosh module: a lighter Whoosh import)

# isort: split
from whoosh import fields, formats
from whoosh.analysis import Token as WhooshToken
from whoosh.analysis import Tokenizer
from whoosh.codec.whoosh3 import (
    LENGTHS_COLUMN,
    W3Codec,
    W3FieldWriter,
    W3PerDocReader,
    W3PerDocWriter,
    _lenfield,
)
from whoosh.columns import NumericColumn, PickleColumn
from whoosh.filedb import filetables

from kvsearch import analysis
from kvsearch.analysis.common_pairs import PAIR_SEPARATOR, common_pairs, common_terms
from kvsearch.engine.packed_postings import (  # noqa: F401  (posting_blocks: the build's writer uses it)
    BYTE_LENGTHS,
    PackedLeafMatcher,
    PackedPostingsWriter,
    posting_blocks,
)
from kvsearch.engine.stored_column import DictionaryCompressedColumn

#: Bump when the schema or the stored fields change: an older index must be rebuilt.
SCHEMA_VERSION = 11


class DutchTokenizer(Tokenizer):
    """Feeds Whoosh the tokens of :func:`kvsearch.analysis.analyze`.

    Index mode gives every term (compound and hyphen parts share the word's position); query
    mode gives one term per word. Without tokenizing (wildcards), the text is only folded.
    It analyses with the chain new builds use (:func:`kvsearch.analysis.building_chain`)
    and pickles that chain's id with the schema, so an index is always queried with the chain that built it.
    """

    #: Class default, and what a pickled shipped tokenizer holds: the shipped chain.
    chain_id = analysis.SHIPPED_ID

    def __init__(self) -> None:
        chain_id = analysis.building_chain().id
        if chain_id != analysis.SHIPPED_ID:
            self.chain_id = chain_id

    @property
    def chain(self) -> analysis.AnalyzerChain:
        return analysis.chain_named(self.chain_id)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.chain_id == self.chain_id

    def __hash__(self) -> int:
        return hash((type(self), self.chain_id))

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[WhooshToken]:
        token = WhooshToken(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            token.original = token.text = analysis.fold(value)
            token.boost = 1.0
            token.stopped = False
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar, token.endchar = start_char, start_char + len(value)
            yield token
            return
        for item in self.chain.analyze(value, query=(mode == "query")):
            token.text = item.text
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = value[item.start : item.end]
            if positions:
                token.pos = start_pos + item.position
            if chars:
                token.startchar = start_char + item.start
                token.endchar = start_char + item.end
            yield token


class PairTokenizer(DutchTokenizer):
    """The pairs of common terms at consecutive positions of a text, as the text field beside
    it indexes the text (:mod:`kvsearch.analysis.common_pairs`), each pair one token."""

    def __init__(self, common: frozenset[str]) -> None:
        super().__init__()
        self.common = common

    def __eq__(self, other: object) -> bool:
        return super().__eq__(other) and isinstance(other, PairTokenizer) and other.common == self.common

    def __hash__(self) -> int:
        return hash((type(self), self.chain_id, self.common))

    def pairs(self, positions: dict[str, list[int]]) -> list[str]:
        """The pairs of a text whose terms and positions the chain has given."""
        return common_pairs(positions, self.common)

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[WhooshToken]:
        token = WhooshToken(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for number, pair in enumerate(self.pairs(self.chain.index_positions(value)[0])):
            token.text = token.original = pair
            token.boost = 1.0
            token.stopped = False
            if positions:
                token.pos = start_pos + number
            if chars:
                token.startchar = token.endchar = start_char
            yield token


class PairWeights(formats.Existence):
    """A word pair's posting value: the weights its two terms have in the same passage's text
    field beside it (its postings' weights: frequency times that field's boost), as two float32.

    A phrase of two common words matches where its pair is, and is scored from its words'
    weights; kept with the pair, they are read from its one short posting list instead of
    from two of the longest lists of the index."""

    VALUE = struct.Struct("<ff")
    posting_size = VALUE.size
    #: A phrase reads a pair's whole list with its values: a long list keeps them as they are,
    #: not deflated (:mod:`kvsearch.engine.packed_postings`).
    VALUES_READ_WHOLE = True

    def __init__(self, source_boost: float) -> None:
        super().__init__()
        self.source_boost = source_boost

    def word_values(self, value: Any, analyzer: Any, **kwargs: Any) -> Iterator[tuple[str, int, float, bytes]]:
        """Whoosh's writer's way in (kvsearch's own writer computes the same in
        ``segment_writer``): each pair once, with its terms' weights."""
        positions = analyzer.chain.index_positions(value)[0]
        for pair in analyzer.pairs(positions):
            yield pair, 1, self.field_boost, pair_value(positions, pair, self.source_boost)


def pair_value(positions: dict[str, list[int]], pair: str, boost: float) -> bytes:
    """The value of ``pair`` in a text with these terms and positions, whose field postings
    weigh a term ``boost`` per position."""
    first, second = pair.split(PAIR_SEPARATOR)
    return PairWeights.VALUE.pack(len(positions[first]) * boost, len(positions[second]) * boost)


class CommonPairs(fields.FieldType):
    """The pairs of common terms that stand next to each other in the text field ``source``:
    which passages hold a phrase of common words, without reading the words' positions, and
    the words' weights there (:class:`PairWeights`).

    Given the same text as ``source``; indexed only (no positions, no length, never stored
    or scored), so the text field's lengths and scores stay what they are without it. The
    list of common terms is pickled with the schema: an index keeps the list it was built
    with, and its incremental builds and its searches use that one."""

    def __init__(self, source: str, common: frozenset[str], source_boost: float) -> None:
        self.source = source
        self.common = common
        self.analyzer = PairTokenizer(common)
        self.format = PairWeights(source_boost)
        self.scorable = False
        self.stored = False
        self.unique = False
        self.vector = None
        self.set_sortable(False)


def pair_field_name(fieldname: str) -> str:
    """The name of the field that holds the word pairs of text field ``fieldname``."""
    return fieldname + "_pairs"


def dutch_text(stored: bool = True, field_boost: float = 1.0) -> fields.TEXT:
    return fields.TEXT(analyzer=DutchTokenizer(), stored=stored, phrase=True, field_boost=field_boost)


def keywords() -> fields.KEYWORD:
    """Filter values: folded, comma-separated, never scored."""
    return fields.KEYWORD(stored=False, lowercase=True, commas=True, scorable=False)


def build_schema() -> fields.Schema:
    """One Whoosh document per passage; everything needed to show a hit is stored."""
    common = common_terms()
    texts = {
        "title": dutch_text(field_boost=1.5),
        "question": dutch_text(field_boost=1.0),
        "answer": dutch_text(field_boost=1.2),
    }
    return fields.Schema(
        passage_id=fields.ID(stored=True, unique=True),
        doc_id=fields.ID(stored=True),
        question_id=fields.ID(stored=False),  # the questions' own publication, joined with this answer
        order=fields.STORED(),  # only read back (passages in document order), never searched
        questions=fields.STORED(),  # "3,4,5": shown and matched against an id, never searched
        **texts,
        **{pair_field_name(name): CommonPairs(name, common, field.format.field_boost) for name, field in texts.items()},
        kind=fields.ID(stored=True),
        status=fields.ID(stored=False),
        number=fields.ID(stored=True),
        year=fields.ID(stored=True),
        date=fields.DATETIME(stored=False, sortable=True),
        # The date's calendar year and month ("2024", "2024-03"): a filter on whole years or
        # months reads a posting list for each, where a range of dates lists its terms of
        # several precisions in the term table.
        calendar_year=fields.ID(stored=False),
        calendar_month=fields.ID(stored=False),
        askers=keywords(),
        parties=keywords(),
        minister=keywords(),
        ministry=keywords(),
        document=fields.STORED(),  # the document's JSON fields (parse --json), without passages
        notes=fields.STORED(),
    )


# --------------------------------------------------------------------------------------------
# Stored fields: the document's metadata once per document


class KvCodec(W3Codec):
    """Whoosh's codec, storing what every passage of a document shares only once.

    Every passage carries its document's metadata (``document``) and fields derived from it
    (``title``, ``kind``, ``number``, ``year``, and ``doc_id`` from ``passage_id``). On disk, a
    passage whose ``document`` equals the previous passage's stores only the distance back to
    the passage that holds it, and derived fields that equal what can be derived are left out.
    The stored fields are deflated against a dictionary of the segment's own text
    (:mod:`kvsearch.engine.stored_column`). Readers put everything back, so every reader
    (``stored_fields``, ``all_stored_fields``, merges) sees the same dictionaries the writer was given.
    Posting lists are written as packed blocks, decoded in bulk
    (:mod:`kvsearch.engine.packed_postings`). The codec is pickled with each segment, so an
    index is always read with the codec that wrote it, by kvsearch and by Whoosh's own searcher.
    """

    def per_document_writer(self, storage: Any, segment: Any) -> Any:
        return _PerDocWriter(self, storage, segment)

    def postings_writer(self, dbfile: Any, byteids: bool = False) -> Any:
        if byteids:
            raise NotImplementedError("term vectors are not supported")
        return PackedPostingsWriter(
            dbfile,
            blocklimit=self._blocklimit,
            byteids=byteids,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )

    def per_document_reader(self, storage: Any, segment: Any) -> Any:
        return _PerDocReader(storage, segment)

    def postings_reader(self, dbfile: Any, terminfo: Any, format_: Any, term: Any = None, scorer: Any = None) -> Any:
        if terminfo.is_inlined():
            return super().postings_reader(dbfile, terminfo, format_, term=term, scorer=scorer)
        offset, length = terminfo.extent()
        return PackedLeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)

    def field_writer(self, storage: Any, segment: Any) -> Any:
        writer = W3FieldWriter(self, storage, segment)
        writer._tindex = _TermTable.taking_over(writer._tindex)
        return writer

    def terms_reader(self, storage: Any, segment: Any) -> Any:
        reader = super().terms_reader(storage, segment)
        reader._tindex = _RememberingTermTable.taking_over(reader._tindex)
        return reader


class _RememberingTermTable(filetables.OrderedHashReader):
    """Whoosh's term table reader, remembering where each term it looked up is.

    One search asks the same segment about the same term many times (is it there, its
    document frequency, its term info, its matcher: for planning, scoring, counting and
    highlighting), and each question walks the on-disk hash table in Python. The table never
    changes once written, so the answer for a key is kept; a bounded number of keys, forgotten
    all at once, so that a long session's memory stays flat."""

    #: Keys kept per segment before the table forgets them all (about 250 bytes each): a
    #: search needs tens to hundreds, a prefix query's expansion a few thousand.
    REMEMBERED_KEYS = 10_000

    _remembered: dict[bytes, tuple[tuple[int, int], ...]]

    @classmethod
    def taking_over(cls, table: filetables.OrderedHashReader) -> _RememberingTermTable:
        remembering = cls.__new__(cls)
        remembering.__dict__.update(table.__dict__)
        remembering._remembered = {}
        return remembering

    def ranges_for_key(self, key: bytes) -> Iterator[tuple[int, int]]:
        ranges = self._remembered.get(key)
        if ranges is None:
            ranges = tuple(super().ranges_for_key(key))
            if len(self._remembered) >= self.REMEMBERED_KEYS:
                self._remembered.clear()
            self._remembered[key] = ranges
        return iter(ranges)


class _TermTable(filetables.OrderedHashWriter):
    """Whoosh's term table writer, the same file, with each term's hash and position kept in
    two arrays (12 bytes a term) instead of a tuple in a list (ten times that): a segment of an
    archive-sized index has millions of terms, all held until the segment is written."""

    lastkey: bytes
    _position: int

    @classmethod
    def taking_over(cls, table: filetables.OrderedHashWriter) -> _TermTable:
        """This writer in place of ``table``, which has written its header and nothing more."""
        compact = cls.__new__(cls)
        compact.__dict__.update(table.__dict__)
        del compact.buckets
        compact.hashes = [array("I") for _ in range(256)]
        compact.positions = [array("q") for _ in range(256)]
        # Where the next term goes: the table's file takes only its terms until its hashes, so
        # the position is counted on from the first instead of asked (a system call) each time.
        compact._position = compact.dbfile.tell()
        return compact

    def add(self, key: bytes, value: bytes) -> None:
        if key <= self.lastkey:
            raise ValueError(f"Keys must increase: {self.lastkey!r}..{key!r}")
        dbfile = self.dbfile
        position = self._position
        self.index.append(position)
        dbfile.write(filetables._lengths.pack(len(key), len(value)))
        dbfile.write(key)
        dbfile.write(value)
        self._position = position + filetables._lengths.size + len(key) + len(value)
        hashed = self.hashfn(key)
        self.hashes[hashed & 255].append(hashed)
        self.positions[hashed & 255].append(position)
        self.lastkey = key

    def _write_hashes(self) -> None:
        # HashWriter._write_hashes over the arrays: the same open-addressing tables, in order.
        dbfile = self.dbfile
        pack = filetables._pointer.pack
        for hashes, positions in zip(self.hashes, self.positions, strict=True):
            slots = 2 * len(hashes)
            self.directory.append((dbfile.tell(), slots))
            table_hashes = array("I", bytes(4 * slots))
            table_positions = array("q", bytes(8 * slots))
            for hashed, position in zip(hashes, positions, strict=True):
                slot = (hashed >> 8) % slots
                while table_hashes[slot] or table_positions[slot]:
                    slot = (slot + 1) % slots
                table_hashes[slot] = hashed
                table_positions[slot] = position
            dbfile.write(b"".join(map(pack, table_hashes, table_positions)))


def _derived(stored: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    """The stored fields that follow from the document's metadata and the passage id."""
    derived = {
        "title": document.get("title") or "",
        "kind": document.get("kind"),
        "number": document.get("number") or "",
        "year": document.get("year") or "",
    }
    passage_id = stored.get("passage_id")
    if isinstance(passage_id, str) and "#" in passage_id:
        derived["doc_id"] = passage_id.rpartition("#")[0]
    return derived


#: The stored fields' column: pickled like Whoosh's, compressed with a trained dictionary.
STORED_COLUMN = PickleColumn(DictionaryCompressedColumn())


class _PerDocWriter(W3PerDocWriter):
    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._head: int | None = None
        self._head_document: Any = None

    def finish_doc(self) -> None:
        stored = self._storedfields
        document = stored.get("document") if stored else None
        if isinstance(document, dict):
            for name, value in _derived(stored, document).items():
                if name in stored and stored[name] == value and type(stored[name]) is type(value):
                    del stored[name]
            if self._head is not None and document == self._head_document:
                stored["document"] = self._docnum - self._head
            else:
                self._head, self._head_document = self._docnum, document
        super().finish_doc()

    def _create_column(self, fieldname: str, column: Any) -> None:
        super()._create_column(fieldname, STORED_COLUMN if fieldname == "_stored" else column)


class _PerDocReader(W3PerDocReader):
    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int | None:
        """Whoosh's answer, from the segment's length bytes read once (scoring asks this for
        every passage it scores, through three layers of Python calls per read)."""
        lengths = self.length_bytes(fieldname)
        if lengths is None or docnum > self._doccount:
            return super().doc_field_length(docnum, fieldname, default)
        code = lengths[docnum] if docnum < len(lengths) else 0
        return BYTE_LENGTHS[code] if code else None  # None for 0, as Whoosh returns

    def length_bytes(self, fieldname: str) -> bytes | None:
        """The segment's length byte of ``fieldname`` for each document (None if not stored
        as one byte each); ``BYTE_LENGTHS`` turns one into the length."""
        tables = self.__dict__.setdefault("_length_tables", {})
        if fieldname not in tables:
            reader = self._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            plain = type(reader) is NumericColumn.Reader and reader._fixedlen == 1
            tables[fieldname] = reader._dbfile.get(reader._basepos, reader._count) if plain else None
        return tables[fieldname]

    def _stored(self, docnum: int) -> dict[str, Any]:
        column = self._cached_reader("_stored", STORED_COLUMN)
        return (column[docnum] if column is not None else None) or {}

    def stored_fields(self, docnum: int) -> dict[str, Any]:
        stored = self._stored(docnum)
        document = stored.get("document")
        if isinstance(document, int) and not isinstance(document, bool):
            document = stored["document"] = self._stored(docnum - document)["document"]
        if isinstance(document, dict):
            for name, value in _derived(stored, document).items():
                stored.setdefault(name, value)
        return stored
