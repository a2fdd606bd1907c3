"""Tests for kvsearch.analysis: positions, offsets and properties (golden word pairs: test_word_pairs.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kvsearch import analysis
from kvsearch.analysis import Token, analyze, analyzer_info, fold, stem, terms
from kvsearch.analysis.lexicon import chunked_lexicon
from tests.conftest import ROOT, SHARED_CORPUS, needs_shared_corpus, run_cli


class TestFold:
    @pytest.mark.parametrize(
        ("raw", "folded"),
        [
            ("Israël", "israel"),
            ("Kostić", "kostic"),
            ("Kostic\u00b4", "kostic"),
            ("ﬁnanciën", "financien"),
            ("Curaçao", "curacao"),
            ("STRAẞE", "strasse"),
            ("risico’s", "risico's"),
            ("één", "een"),
        ],
    )
    def test_examples(self, raw: str, folded: str) -> None:
        assert fold(raw) == folded

    def test_ascii_is_lowercased_only(self) -> None:
        assert fold("Tweede Kamer") == "tweede kamer"


class TestStem:
    def test_uses_dutch_porter_not_kraaij_pohlmann(self) -> None:
        assert analyzer_info()["stemmer"] == "dutch_porter"
        # Kraaij-Pohlmann merges these; Porter does not.
        assert stem("gemeenten") != stem("mening")
        assert stem("geweld") != stem("wel")

    def test_overrides(self) -> None:
        assert stem("wet") == stem("wetten") != stem("weten") == stem("weet")
        assert stem("reden") != stem("reeds")
        assert stem("kind") == stem("kinderen")
        assert stem("leden") == stem("lid")

    def test_small_rules(self) -> None:
        assert stem("provincies") == stem("provincie")
        assert stem("plannen") == stem("plan")
        assert stem("brieven") == stem("brief")

    def test_function_words_not_stemmed(self) -> None:
        assert stem("geen") == "geen"
        assert stem("eens") == "eens"


class TestTokens:
    def test_no_stop_words_removed_and_positions_consecutive(self) -> None:
        toks = analyze("Deelt u de mening van uw Kamer niet?")
        assert [t.text for t in toks] == [
            "deelt",
            "u",
            "de",
            "mening",
            "van",
            "uw",
            "kamer",
            "niet",
        ]
        assert [t.position for t in toks] == list(range(8))

    def test_offsets_point_at_source_word(self) -> None:
        text = "Vraag 2\nIs de beant-woording van Kostić’s brief (Israël) al klaar?"
        for tok in analyze(text):
            src = text[tok.start : tok.end]
            assert src.strip() == src and src
            assert fold(src).replace("-", "").startswith(tok.text[:3]) or tok.text in fold(src)

    def test_hyphen_parts_share_position(self) -> None:
        toks = analyze("de beant-woording is klaar")
        by_pos: dict[int, list[Token]] = {}
        for t in toks:
            by_pos.setdefault(t.position, []).append(t)
        assert sorted(by_pos) == [0, 1, 2, 3]
        texts = [t.text for t in by_pos[1]]
        assert texts[0] == stem("beantwoording")
        assert {(t.start, t.end) for t in by_pos[1]} == {(3, 17)}

    def test_hyphen_artefact_keeps_only_the_repaired_word(self) -> None:
        # "beantwoording" is a word, "beant" is not: a line-break artefact, parts are junk.
        assert terms("beant-woording") == [stem("beantwoording")]
        assert terms("organisa-ties") == [stem("organisaties")]
        # Real hyphenated words keep their parts.
        assert terms("Staten-Generaal") == [
            stem("statengeneraal"),
            stem("staten"),
            stem("generaal"),
        ]

    def test_compound_parts_share_position_and_offsets(self) -> None:
        text = "De verkiezingsuitslag was duidelijk."
        toks = analyze(text)
        comp = [t for t in toks if t.position == 1]
        assert [t.text for t in comp] == [stem("verkiezingsuitslag"), stem("verkiezing"), "uitslag"]
        assert {text[t.start : t.end] for t in comp} == {"verkiezingsuitslag"}
        assert [t.position for t in toks if t.position != 1] == [0, 2, 3]

    def test_glued_words_are_split_at_one_position(self) -> None:
        toks = analyze("contact in hetkader van")
        assert [(t.text, t.position) for t in toks] == [
            ("contact", 0),
            ("in", 1),
            ("hetkader", 2),
            ("het", 2),
            ("kader", 2),
            ("van", 3),
        ]

    def test_a_short_function_word_glued_after_a_word_is_split_off(self) -> None:
        # PDF extraction drops the space at a line end: "discriminatie|of", "artsen|te".
        assert terms("discriminatieof") == ["discriminatieof", stem("discriminatie"), "of"]
        assert terms("artsente")[1:] == [stem("artsen"), "te"]
        # A word ending so that is a compound, or too short a head, stays as it was.
        assert terms("lijker") == [stem("lijker")]
        assert terms("inkomensafhankelijk")[1:] == ["inkomen", "afhank"]

    def test_a_function_word_glued_to_a_compound_is_split_off(self) -> None:
        assert terms("devoorschotsystematiek") == [
            "devoorschotsystematiek",
            "de",
            "voorschotsystematiek",
            stem("voorschot"),
            "systematiek",
        ]

    def test_lexicalised_words_stay_whole(self) -> None:
        for word in ("samenwerking", "bijvoorbeeld", "burgemeester", "noodzakelijk", "nederland"):
            assert terms(word) == terms(word, query=True), word

    def test_query_mode_never_decompounds(self) -> None:
        assert terms("verkiezingsuitslag hetkader", query=True) == [
            stem("verkiezingsuitslag"),
            "hetkader",
        ]

    def test_query_mode_gives_one_term_per_word(self) -> None:
        assert terms("Staten-Generaal en de NAVO-top", query=True) == [
            stem("statengeneraal"),
            "en",
            "de",
            stem("navotop"),
        ]

    def test_possessive_s(self) -> None:
        assert terms("risico’s regio's") == ["risico", "regio"]

    def test_soft_hyphens_join(self) -> None:
        assert terms("ontwikke\u00adlingen regen\ufffeboog") == terms("ontwikkelingen regenboog")

    def test_internal_apostrophes_kept(self) -> None:
        assert terms("zo’n d'r") == ["zo'n", "d'r"]

    def test_letters_glued_to_digits(self) -> None:
        assert terms("januari2020") == ["januari2020", "januari", "2020"]
        assert terms("januari2020", query=True) == ["januari2020"]

    def test_underscore_and_punctuation_separate(self) -> None:
        assert terms("a_b, c.d") == ["a", "b", "c", "d"]

    def test_empty(self) -> None:
        assert analyze("") == []
        assert analyze(" \n\t\x00 ´ … ") == []


def test_analyzer_info() -> None:
    info = analyzer_info()
    assert info["analyzer"] == analysis.ANALYZER_ID
    assert set(info) == {"analyzer", "stemmer", "snowballstemmer", "pystemmer", "lexicon"}
    assert info["snowballstemmer"]
    assert info["lexicon"].startswith("opentaal-wordlist")


# ---------------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------------

any_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)),  # no lone surrogates
    max_size=200,
)
dutchish = st.text(alphabet="abcdeéëfghiïjklmnopqrstuvwxyzĳ-’' \n\u00ad", max_size=80)
simple_word = st.text(alphabet="abcdefghijklmnopqrstuvwxyzëéïö", min_size=1, max_size=20)


@settings(max_examples=300, deadline=None)
@given(st.one_of(any_text, dutchish))
def test_never_raises_and_is_well_formed(text: str) -> None:
    for query in (False, True):
        toks = analyze(text, query=query)
        last = -1
        for t in toks:
            assert t.text
            assert 0 <= t.start < t.end <= len(text)
            assert t.position in (last, last + 1)
            last = t.position


@settings(max_examples=200, deadline=None)
@given(st.one_of(any_text, dutchish))
def test_deterministic(text: str) -> None:
    assert analyze(text) == analyze(text)
    assert analyze(text, query=True) == analyze(text, query=True)


@settings(max_examples=300, deadline=None)
@given(simple_word)
def test_query_and_index_agree_on_simple_words(word: str) -> None:
    q = terms(word, query=True)
    i = terms(word)
    assert len(q) == 1
    assert i and i[0] == q[0]
    assert fold(word) == fold(fold(word))


@settings(max_examples=200, deadline=None)
@given(st.lists(simple_word, min_size=1, max_size=8))
def test_phrase_positions_are_consecutive(words: list[str]) -> None:
    toks = analyze(" ".join(words), query=True)
    assert [t.position for t in toks] == list(range(len(words)))


def test_highlighting_finds_exactly_the_words_analyze_matches() -> None:
    """highlight_spans takes shortcuts for speed (one scan per distinct word, a regex in C),
    and a Highlighter shared by the hits of a search judges each word once for all texts;
    both must mark exactly the words whose query analysis (or, for compounds, index analysis)
    gives a matched term, as a plain walk over analyze() does."""
    from kvsearch.searcher import highlight_spans
    from kvsearch.searcher.highlight import Highlighter

    def reference(text: str, matched: set[str]) -> list[tuple[int, int]]:
        spans: list[tuple[int, int]] = []
        for token in analysis.analyze(text, query=True):
            span = (token.start, token.end)
            if spans and spans[-1] == span:
                continue
            hit = token.text in matched
            if not hit and len(token.text) >= 7 and any(len(t) >= 3 and t in token.text for t in matched):
                hit = any(t.text in matched for t in analysis.analyze(text[token.start : token.end]))
            if hit:
                spans.append(span)
        return spans

    term_sets = [
        {"ambtenar", "neutraliteit", "kamer"},
        {"minister", "uitslag", "zorg", "vraag", "lid"},
        {"de", "het", "van", "s", "1", "2024"},
        {"staten", "generaal", "statengeneraal", "risico"},
    ]
    texts = ["Kamer-lid, kamerlid en de Kamer; risico's van staten-generaal", "x-Kamer _kamer_ 2024-1 s-Hertogenbosch"]
    texts += [p.read_text(encoding="utf-8") for p in sorted(SHARED_CORPUS.glob("*/*.txt"))[:30]]
    shared = [Highlighter(matched) for matched in term_sets]
    for text in texts:
        for matched, highlighter in zip(term_sets, shared, strict=True):
            expected = reference(text, matched)
            assert highlight_spans(text, matched) == expected
            assert highlighter.spans(text) == expected


def test_the_chunked_lexicon_answers_like_the_set() -> None:
    """A search looks words up in one inflated chunk of the lexicon (no 390k-word set to
    build); the answers must be the set's, for the first and last words, prefixes,
    extensions, chunk boundaries and non-words."""
    import random

    words = sorted(analysis.lexicon_words())
    assert len(words) > 300_000
    chunked = chunked_lexicon()
    rng = random.Random(7)
    sample = [words[0], words[-1], *chunked.firsts, *rng.sample(words, 3000)]
    probes = sample + [w[:-1] for w in sample] + [w + "x" for w in sample] + ["", "a", "zzzzzz", "ÿ", "één", "aa\nab"]
    for probe in probes:
        assert (probe in chunked) == (probe in analysis.lexicon_words()), probe


def test_the_lexicon_file_is_what_its_builder_makes_in_small_chunks() -> None:
    """A first search inflates a chunk for each word it looks up, dozens of them (highlighting
    analyses every word of the hits shown): the chunks are small, and the file is exactly
    what ``bench/build_lexicon.py`` writes for its words (so it can be rebuilt)."""
    import importlib.util
    import zlib

    from kvsearch.analysis.lexicon import _LEXICON_PATH

    spec = importlib.util.spec_from_file_location("build_lexicon", ROOT / "bench" / "build_lexicon.py")
    builder = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(builder)  # type: ignore[union-attr]
    data = _LEXICON_PATH.read_bytes()
    chunked = chunked_lexicon()
    sizes = [len(zlib.decompress(data[start:end]).split(b"\n")) for start, end in chunked.spans]
    assert max(sizes) == builder.CHUNK_WORDS <= 512
    assert builder.chunked(data[: data.index(b"\n")].decode("utf-8"), chunked.words()) == data


class TestPeopleKeptWhole:
    def test_a_name_is_one_term_and_common_compounds_still_split(self) -> None:
        assert terms("Soepboer") == ["soepboer"]
        assert terms("Veldkamp") == ["veldkamp"]
        assert terms("Gräper-van") == ["grapervan", "graper", "van"]
        # Written lower-case it is not a name, and other capitalised compounds still split.
        assert set(terms("soepboer")) >= {"soep", "boer"}
        assert set(terms("Julianakanaal")) >= {stem("kanaal")}
        assert set(terms("Mochtenfinanciële")) >= {stem("financiële")}
        assert analysis.query_parts("Soepboer") == ()

    @needs_shared_corpus()
    def test_a_query_does_not_match_a_passage_through_a_members_name(self, tmp_path: Path) -> None:
        """Question 1 of this document names the member Soepboer: "boeren" (stem boer) and
        "soep" must not find it, the name itself must, and so must a part of "Julianakanaal"."""
        corpus = tmp_path / "corpus"
        corpus.mkdir()
        shutil.copy(SHARED_CORPUS / "limburg-2024" / "Antwoord_op_vragen_van_de_leden_Soepboer-pdf.txt", corpus)
        index = tmp_path / "index"
        assert run_cli("index", "--corpus", str(corpus), "--index", str(index)).returncode == 0
        for query in ("stikstof boeren", "boeren", "soep"):
            done = run_cli(query, "--index", str(index))
            assert done.returncode == 1, f"{query!r} found: {done.stdout}"
        assert "ah-tk-20242025-566 vraag 1" in run_cli("Soepboer", "--index", str(index)).stdout
        assert "ah-tk-20242025-566 vraag 3" in run_cli("kanaal", "--index", str(index)).stdout


class TestKeptSynonymTable:
    """``data/synonym_terms.txt`` spares a one-line search analysing the near-synonyms list: it
    must say what analysing the list says, and give way when the list changes."""

    def test_the_shipped_file_is_the_list_analysed_now(self) -> None:
        from kvsearch.analysis import synonyms

        kept = synonyms.kept_alternatives()
        assert kept is not None, "data/synonym_terms.txt is stale: run python -m kvsearch.analysis.synonyms"
        assert kept == synonyms.analysed_alternatives(analysis.SHIPPED)
        assert kept["wachtlijst"] == ("wachttijd",)

    def test_an_edited_list_is_analysed_afresh(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        from kvsearch.analysis import synonyms

        edited = tmp_path / "synonyms.txt"
        edited.write_text(synonyms.SYNONYMS_PATH.read_text("utf-8") + "fiets, rijwiel\n", "utf-8")
        monkeypatch.setattr(synonyms, "SYNONYMS_PATH", edited)  # the kept file was made from the old list
        synonyms.alternatives.cache_clear()
        try:
            assert synonyms.kept_alternatives() is None
            fiets = analysis.SHIPPED.terms("fiets", query=True)[0]
            assert synonyms.of_term(analysis.SHIPPED, fiets) == tuple(analysis.SHIPPED.terms("rijwiel", query=True))
        finally:
            synonyms.alternatives.cache_clear()
