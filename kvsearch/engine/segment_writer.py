"""A faster Whoosh segment writer for the index build: same files, a cheaper road to them.

Whoosh's ``SegmentWriter`` sends every posting through a generic external sort: one tuple per
(field, term, document), pickled into run files when its pool is full, merged with ``heapq``,
and then written one call at a time, looking up the document's field length (and ``stat``-ing
the column file of every field that has none) for each posting. At archive scale that is most
of the build.

``FastSegmentWriter`` keeps Whoosh's commit, merge policies, table of contents and compound
file, and replaces only the posting pool: postings are gathered per term (a list of document
numbers and encoded values), the Dutch text fields are analysed once per passage straight into
positions (``analysis.index_positions``, the same terms and positions the Whoosh tokenizer
yields), and when the pool passes its memory limit the terms are written, sorted, to a run
file. At commit the runs are merged term by term (not posting by posting) and written with the
codec's own postings writer, so the segment on disk is what ``SegmentWriter`` would write.
``tests/test_indexing.py`` checks that, posting for posting.
"""

from __future__ import annotations

import heapq
import pickle
import struct
from array import array
from collections.abc import Iterator
from typing import Any

import kvsearch.engine.whoosh_import  # noqa: F401  (before any whoosh module: a lighter Whoosh import)

# isort: split
from whoosh import formats
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.system import emptybytes
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

from kvsearch.engine.schema import BYTE_LENGTHS, CommonPairs, DutchTokenizer, pair_value, posting_blocks

_PACK_UINT = struct.Struct("!I").pack
_PACK_USHORT = struct.Struct("!H").pack
# Rough bytes a buffered posting costs (array slot, value bytes object, list slot).
_POSTING_BYTES = 70
_TERM_BYTES = 260


#: Encoded single positions by position (most postings have one).
_SINGLE: dict[int, bytes] = {}


def _encode_positions(positions: list[int]) -> bytes:
    """``whoosh.formats.Positions.encode``, with the common one-position case cached."""
    if len(positions) == 1:
        pos = positions[0]
        hit = _SINGLE.get(pos)
        if hit is None:
            hit = _SINGLE[pos] = _PACK_UINT(1) + pickle.dumps([pos], 2)
        return hit
    deltas = []
    base = 0
    for pos in positions:
        deltas.append(pos - base)
        base = pos
    return _PACK_UINT(len(deltas)) + pickle.dumps(deltas, 2)


class _Postings:
    """The buffered postings of one term: ascending document numbers, weights, values."""

    __slots__ = ("docs", "weights", "values")

    def __init__(self) -> None:
        self.docs = array("I")
        self.weights: list[float] = []
        self.values: list[bytes] = []


class FastSegmentWriter(SegmentWriter):
    """``SegmentWriter`` with a per-term posting pool (see the module docstring)."""

    def __init__(self, ix: Any, limitmb: int = 128, **kwargs: Any) -> None:
        super().__init__(ix, limitmb=limitmb, **kwargs)
        self._limit = limitmb * 1024 * 1024
        self._terms: dict[tuple[str, bytes], _Postings] = {}
        #: The text fields' terms, by field and term as text: a posting of the hot loop needs
        #: no key tuple and no encoding (a term is encoded once, when the pool is written).
        self._text: dict[str, dict[str, _Postings]] = {}
        self._size = 0
        self._runs: list[str] = []
        #: Per field, the last value indexed and its terms.
        self._last: dict[str, tuple[Any, Any]] = {}
        # Fields analysed by kvsearch's own tokenizer with a Positions format: the fast path.
        self._dutch = {
            name: (field.analyzer.chain, field.format.field_boost)
            for name, field in self.schema.items()
            if isinstance(field.analyzer, DutchTokenizer) and type(field.format) is formats.Positions
        }
        # Word pair fields: their pairs come from the positions their text field was analysed into.
        self._pairs = {name: field for name, field in self.schema.items() if type(field) is CommonPairs}

    # Adding ------------------------------------------------------------------------------

    def _post(self, fieldname: str, tbytes: bytes, docnum: int, weight: float, vbytes: bytes | None) -> None:
        text = self._text.get(fieldname)
        key: Any = (fieldname, tbytes) if text is None else tbytes.decode("utf-8")
        pool: dict[Any, _Postings] = self._terms if text is None else text
        postings = pool.get(key)
        if postings is None:
            postings = pool[key] = _Postings()
            self._size += _TERM_BYTES + len(tbytes)
        postings.docs.append(docnum)
        postings.weights.append(weight)
        postings.values.append(vbytes or emptybytes)
        self._size += _POSTING_BYTES + (len(vbytes) if vbytes else 0)

    def _post_text(self, fieldname: str, docnum: int, positions: dict[str, list[int]], boost: float) -> None:
        """The postings of one analysed text field (the hot loop of the build)."""
        terms = self._text.get(fieldname)
        if terms is None:
            terms = self._text[fieldname] = {}
        get = terms.get
        single = _SINGLE
        added = 0
        for term, poslist in positions.items():
            postings = get(term)
            if postings is None:
                postings = terms[term] = _Postings()
                added += _TERM_BYTES + len(term)
            postings.docs.append(docnum)
            if len(poslist) == 1:
                postings.weights.append(boost)
                value = single.get(poslist[0]) or _encode_positions(poslist)
            else:
                postings.weights.append(len(poslist) * boost)
                value = _encode_positions(poslist)
            postings.values.append(value)
            added += _POSTING_BYTES + len(value)
        self._size += added

    def add_document(self, **fields: Any) -> None:
        self._check_state()
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        docboost = self._doc_boost(fields)
        fieldnames = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, fieldnames)
        post = self._post
        perdocwriter.start_doc(docnum)
        try:
            for fieldname in fieldnames:
                value = fields.get(fieldname)
                if value is None:
                    continue
                field = schema[fieldname]
                length = 0
                if field.indexed:
                    fieldboost = self._field_boost(fields, fieldname, docboost)
                    dutch = self._dutch.get(fieldname)
                    # Passages of one document repeat its title and metadata: analysed once.
                    last = self._last.get(fieldname)
                    pairs = self._pairs.get(fieldname)
                    if pairs is not None and isinstance(value, str):
                        # The pairs' values hold their words' weights in the text field beside them.
                        source_boost = self._dutch[pairs.source][1] * self._field_boost(fields, pairs.source, docboost)
                        if last is None or last[0] != (value, source_boost):
                            pooled = self._common_pairs(pairs, value, source_boost)
                            last = self._last[fieldname] = ((value, source_boost), pooled)
                        for pair, pair_weights in last[1]:
                            post(fieldname, pair, docnum, fieldboost, pair_weights)
                    elif dutch is not None and isinstance(value, str):
                        chain, format_boost = dutch
                        if last is None or last[0] != value:
                            last = self._last[fieldname] = (value, chain.index_positions(value))
                        positions, count = last[1]
                        self._post_text(fieldname, docnum, positions, format_boost * fieldboost)
                        if field.scorable:
                            length = count
                    else:
                        if last is None or type(last[0]) is not type(value) or last[0] != value:
                            last = self._last[fieldname] = (value, list(field.index(value)))
                        for tbytes, freq, weight, vbytes in last[1]:
                            if field.scorable:
                                length += freq
                            post(fieldname, tbytes, docnum, weight * fieldboost, vbytes)
                if field.separate_spelling() or field.vector:
                    raise NotImplementedError(f"field {fieldname!r}: spelling fields and vectors are not supported")
                customval = fields.get(f"_stored_{fieldname}", value)
                perdocwriter.add_field(fieldname, field, customval if field.stored else None, length)
                column = field.column_type
                if column and customval is not None:
                    perdocwriter.add_column_value(fieldname, column, field.to_column_value(customval))
        except Exception:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1
        if self._size > self._limit:
            self._spill()

    def _common_pairs(self, field: CommonPairs, value: str, source_boost: float) -> list[tuple[bytes, bytes]]:
        """The pair terms of ``value`` with their values (:class:`PairWeights`), from its text
        field's positions when that field was just given the same text (fields are added in
        name order: ``answer`` before ``answer_pairs``)."""
        source = self._last.get(field.source)
        if source is not None and source[0] == value and field.source in self._dutch:
            positions = source[1][0]
        else:
            positions = field.analyzer.chain.index_positions(value)[0]
        return [
            (pair.encode("utf-8"), pair_value(positions, pair, source_boost))
            for pair in field.analyzer.pairs(positions)
        ]

    def add_postings_to_pool(self, reader: Any, startdoc: int, docmap: dict[int, int] | None) -> None:
        """Postings of a segment being merged into this one (its documents come last)."""
        for fieldname, tbytes, docnum, weight, vbytes in self._process_posts(reader.iter_postings(), startdoc, docmap):
            self._post(fieldname, tbytes, docnum, weight, vbytes)
            if self._size > self._limit:
                self._spill()

    # Runs --------------------------------------------------------------------------------

    def _pooled(self) -> list[tuple[tuple[str, bytes], _Postings]]:
        """The buffered terms as ((field, term bytes), postings), sorted."""
        items = list(self._terms.items())
        for fieldname, terms in self._text.items():
            items.extend(((fieldname, term.encode("utf-8")), p) for term, p in terms.items())
        items.sort(key=_first)
        return items

    def _spill(self) -> None:
        """Write the buffered terms, sorted, to a run file and empty the pool."""
        # Named by segment: writers in other processes may share the temporary folder.
        name = f"kvrun-{self.newsegment.segid}-{len(self._runs)}.run"
        with self._tempstorage.create_file(name).raw_file() as handle:
            for key, p in self._pooled():
                pickle.dump((key, p.docs.tobytes(), p.weights, p.values), handle, pickle.HIGHEST_PROTOCOL)
        self._runs.append(name)
        self._terms = {}
        self._text = {}
        self._size = 0

    def _read_run(
        self, name: str, rank: int
    ) -> Iterator[tuple[tuple[str, bytes], int, array, list[float], list[bytes]]]:
        with self._tempstorage.open_file(name).raw_file() as handle:
            while True:
                try:
                    key, docs, weights, values = pickle.load(handle)
                except EOFError:
                    return
                ids = array("I")
                ids.frombytes(docs)
                yield key, rank, ids, weights, values

    def _memory_run(self, rank: int) -> Iterator[tuple[tuple[str, bytes], int, array, list[float], list[bytes]]]:
        for key, p in self._pooled():
            yield key, rank, p.docs, p.weights, p.values

    def _merged_terms(self) -> Iterator[tuple[tuple[str, bytes], list[tuple[array, list[float], list[bytes]]]]]:
        """Each term once, in (field, term) order, with its posting chunks in document order."""
        if not self._runs:  # nothing was spilled: the pool is the only source
            for key, p in self._pooled():
                yield key, [(p.docs, p.weights, p.values)]
            return
        # Runs were written in document order, so chunks of one term keep the order of their runs
        # (the rank). A term is in a run once, so the tuples compare by (key, rank) alone.
        sources = [self._read_run(name, rank) for rank, name in enumerate(self._runs)]
        sources.append(self._memory_run(len(self._runs)))
        current: tuple[str, bytes] | None = None
        chunks: list[tuple[array, list[float], list[bytes]]] = []
        for key, _rank, ids, weights, values in heapq.merge(*sources):
            if key != current:
                if current is not None:
                    yield current, chunks
                current, chunks = key, []
            chunks.append((ids, weights, values))
        if current is not None:
            yield current, chunks

    # Writing the segment -------------------------------------------------------------------

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        pdr = self.per_document_reader() if self.codec.length_stats else None
        try:
            self._write_postings(pdr)
        finally:
            self.fieldwriter.close()
            if pdr:
                pdr.close()

    def _lengths(self, pdr: Any, fieldname: str) -> array | None:
        """The field length of every document as Whoosh's writer sees it (quantised; 0 for
        none), or None. An array: 4 bytes a document, where a list took 36."""
        if pdr is None or not self.schema[fieldname].scorable:
            return None
        lenfield = _lenfield(fieldname)
        if not pdr.has_column(lenfield):
            return None
        column = pdr.column_reader(lenfield, LENGTHS_COLUMN)
        return array("I", map(BYTE_LENGTHS.__getitem__, column))

    def _write_postings(self, pdr: Any) -> None:
        fw = self.fieldwriter
        schema = self.schema
        lastfield = None
        lengths: array | None = None
        for (fieldname, tbytes), chunks in self._merged_terms():
            if fieldname not in schema:
                continue
            if fieldname != lastfield:
                if lastfield is not None:
                    fw.finish_field()
                fw.start_field(fieldname, schema[fieldname])
                lastfield = fieldname
                lengths = self._lengths(pdr, fieldname)
            if len(chunks) == 1:
                ids, weights, values = chunks[0]
            else:
                ids, weights, values = array("I"), [], []
                for chunk_ids, chunk_weights, chunk_values in chunks:
                    ids.extend(chunk_ids)
                    weights.extend(chunk_weights)
                    values.extend(chunk_values)
            pw = fw._postwriter
            if hasattr(pw, "write_postings"):  # kvsearch's codec: the whole list at once
                info = pw.write_postings(fw._format, ids, weights, values, lengths)
                fw._tindex.add(_PACK_USHORT(fw._fieldid) + tbytes, info.to_bytes())
            else:
                fw.start_term(tbytes)
                _write_term(pw, ids, weights, values, lengths)
                fw.finish_term()
        if lastfield is not None:
            fw.finish_field()

    def _close_segment(self) -> None:
        super()._close_segment()
        self._terms = {}
        self._text = {}
        for name in self._runs:
            try:
                self._tempstorage.delete_file(name)
            except OSError:
                pass
        self._runs = []


def _first(item: tuple[Any, Any]) -> Any:
    return item[0]


def _write_term(pw: Any, ids: array, weights: list[float], values: list[bytes], lengths: array | None) -> None:
    """Fill ``W3PostingsWriter`` a block at a time: what ``add_posting`` for each posting does.

    Blocks hold ``blocklimit`` postings, the last one the rest (written by ``finish_postings``);
    per block the writer tracks the shortest and longest field length and the highest weight.
    """
    total = len(ids)
    for start, end, block_ids, block_weights, maxweight, minlength, maxlength in posting_blocks(
        ids, weights, lengths, pw._blocklimit
    ):
        pw._ids = block_ids
        pw._weights = array("f", block_weights)
        pw._values = [v for v in values[start:end] if v]
        pw._maxweight = maxweight
        pw._minlength, pw._maxlength = minlength, maxlength
        if end < total:
            pw._write_block()


def quantised_length(length: int) -> int:
    """The field length Whoosh records for ``length`` tokens (for tests)."""
    return byte_to_length(length_to_byte(length))
