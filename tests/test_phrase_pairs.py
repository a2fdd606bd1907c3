"""The index's word pairs: the postings of a pair of common terms are the passages where
Whoosh's own phrase matching finds the two next to each other, in every text field, and an
incremental build gives the same pairs as a full build."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from itertools import product
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.query import Phrase

from kvsearch.analysis.common_pairs import common_terms, pair_term
from kvsearch.engine.bulk_scores import pair_arrays
from kvsearch.engine.schema import CommonPairs, PairWeights, pair_field_name
from kvsearch.searcher.fields import TEXT_FIELDS
from kvsearch.storage.generations import live_generation
from tests.conftest import REAL_CORPUS, run_cli

#: Common terms whose pairs (each with each, both ways) are compared with Whoosh's phrases.
COMPARED = ("de", "van", "het", "in", "en", "u", "op", "is", "een", "te", "ook", "uw", "kamer", "vrag")


def passages_of(searcher: object, docs: object) -> set[str]:
    return {searcher.stored_fields(doc)["passage_id"] for doc in docs}  # type: ignore[attr-defined]


def postings(reader: Any, fieldname: str, text: Any, read: Callable[[Any], Any]) -> dict[int, Any]:
    """What ``read`` reads from each posting of a term, by document, through Whoosh's matcher."""
    matcher = reader.postings(fieldname, text)
    found = {}
    while matcher.is_active():
        found[matcher.id()] = read(matcher)
        matcher.next()
    return found


def pair_postings(index: Path) -> dict[tuple[str, str], dict[str, tuple[float, float]]]:
    """Every word pair the live generation holds, with the passages that hold it and its words'
    weights in each."""
    generation = live_generation(index)
    assert generation is not None
    ix = whoosh_index.open_dir(str(generation), readonly=True)
    try:
        with ix.searcher() as searcher:
            reader = searcher.reader()
            found = {}
            for fieldname in TEXT_FIELDS:
                pairs = pair_field_name(fieldname)
                for btext in reader.lexicon(pairs):
                    values = postings(reader, pairs, btext, lambda matcher: PairWeights.VALUE.unpack(matcher.value()))
                    live = {doc: value for doc, value in values.items() if not reader.is_deleted(doc)}
                    if live:
                        found[(pairs, btext.decode("utf-8"))] = {
                            searcher.stored_fields(doc)["passage_id"]: value for doc, value in live.items()
                        }
            return found
    finally:
        ix.close()


def test_pairs_of_common_terms_are_whooshs_phrase_matches(real_index: Path) -> None:
    assert set(COMPARED) <= common_terms()
    generation = live_generation(real_index)
    assert generation is not None
    ix = whoosh_index.open_dir(str(generation), readonly=True)
    compared = 0
    try:
        with ix.searcher() as searcher:
            reader = searcher.reader()
            for fieldname in TEXT_FIELDS:
                pairs = pair_field_name(fieldname)
                field = searcher.schema[pairs]
                assert type(field) is CommonPairs and field.source == fieldname and field.common == common_terms()
                for first, second in product(COMPARED, repeat=2):
                    phrase = passages_of(searcher, Phrase(fieldname, [first, second]).docs(searcher))
                    term = pair_term(first, second)
                    held = reader.postings(pairs, term).all_ids() if (pairs, term) in reader else []
                    assert passages_of(searcher, held) == phrase, (fieldname, term)
                    compared += bool(phrase)
    finally:
        ix.close()
    assert compared > 100


def test_an_incremental_build_gives_the_pairs_of_a_full_build(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(REAL_CORPUS / "limburg-2024", corpus / "limburg-2024")
    live, full = tmp_path / "live", tmp_path / "full"
    assert run_cli("index", "--corpus", str(corpus), "--index", str(live)).returncode in (0, 6)
    before = pair_postings(live)
    # One document goes, one changes its words: "in de" becomes "in het" there.
    (corpus / "limburg-2024" / "De_ontkoppeling_van_ontwikkelingshulp-pdf.txt").unlink()
    changed = corpus / "limburg-2024" / "Het_werken_met_ambtenaren-pdf.txt"
    text = changed.read_text(encoding="utf-8")
    assert " in de " in text
    changed.write_text(text.replace(" in de ", " in het "), encoding="utf-8")
    updated = run_cli("index", "--json", "--corpus", str(corpus), "--index", str(live))
    assert updated.returncode in (0, 6), updated.stderr
    report = json.loads(updated.stdout)
    assert (report["updated"], report["removed"]) == (1, 1), report
    assert run_cli("index", "--full", "--corpus", str(corpus), "--index", str(full)).returncode in (0, 6)
    after = pair_postings(live)
    assert after == pair_postings(full)
    assert after != before


def test_a_pair_holds_its_words_weights_as_their_own_postings_do(real_index: Path) -> None:
    """Each pair posting's value is its two words' weights in the same passage's text field,
    exactly as those words' own postings hold them (a phrase of two common words is scored
    from them)."""
    generation = live_generation(real_index)
    assert generation is not None
    ix = whoosh_index.open_dir(str(generation), readonly=True)
    compared = repeated = 0
    try:
        with ix.searcher() as searcher:
            reader = searcher.reader()
            for fieldname in TEXT_FIELDS:
                pairs = pair_field_name(fieldname)
                own = {}  # (word, doc) -> weight, from the words' own postings
                for word in COMPARED:
                    if (fieldname, word) in reader:
                        weights = postings(reader, fieldname, word, lambda matcher: matcher.weight())
                        own.update(((word, doc), weight) for doc, weight in weights.items())
                for first, second in product(COMPARED, repeat=2):
                    term = pair_term(first, second)
                    if (pairs, term) not in reader:
                        continue
                    matcher = reader.postings(pairs, term)
                    each = {}
                    while matcher.is_active():
                        held = PairWeights.VALUE.unpack(matcher.value())
                        assert held == (own[(first, matcher.id())], own[(second, matcher.id())]), (fieldname, term)
                        each[matcher.id()] = held
                        compared += 1
                        repeated += held[0] != held[1]
                        matcher.next()
                    # Read whole, segment by segment, as arrays (a phrase of two common words
                    # scored on arrays).
                    whole = {}
                    for segment, offset in reader.leaf_readers():
                        if (pairs, term) in segment:
                            read = pair_arrays(segment.postings(pairs, term))
                            assert read is not None
                            docs, firsts, seconds = (array.tolist() for array in read)
                            held_there = zip(firsts, seconds, strict=True)
                            whole.update(zip([doc + offset for doc in docs], held_there, strict=True))
                    assert whole == each
    finally:
        ix.close()
    assert compared > 1000 and repeated > 0
