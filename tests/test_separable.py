"""Separable verbs written apart (``trekt … in``, ``in te trekken``): found in text, given the
verb's term at the verb's place in the index and in queries, and found by the real CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from kvsearch import analysis
from kvsearch.analysis.separable import split_verbs
from kvsearch.analysis.tokens import WORD_RE
from tests.conftest import TEST_CORPUS, json_lines, run_cli


def _found(text: str) -> list[tuple[str, str, str]]:
    """(verb word, particle word, infinitive) of each split verb of ``text``."""
    words = WORD_RE.findall(text)
    return [(words[s.verb_at], words[s.particle_at], s.infinitive) for s in split_verbs(text, WORD_RE)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Trekt de minister het beroep in?", [("Trekt", "in", "intrekken")]),
        ("Bent u bereid het beroep in te trekken?", [("trekken", "in", "intrekken")]),
        (
            "De gemeente springt bij en de provincie past de regels aan.",
            [("springt", "bij", "bijspringen"), ("past", "aan", "aanpassen")],
        ),
        ("Stemt u in met dit voorstel?", [("Stemt", "in", "instemmen")]),
        ("De minister gaf aan dat de termijn te kort is.", [("gaf", "aan", "aangeven")]),
        ("Nederland draagt hier financieel aan bij.", [("draagt", "bij", "bijdragen")]),
        ("om het rapport toe te kunnen sturen", [("sturen", "toe", "toesturen")]),
        ("Gaat de bouw door, of stopt die?", [("Gaat", "door", "doorgaan")]),
    ],
)
def test_a_verb_written_apart_is_found(text: str, expected: list[tuple[str, str, str]]) -> None:
    assert _found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "om te komen tot een besluit",  # om … te, not omkomen
        "De minister komt af en toe langs.",
        "De regering hecht hier veel waarde aan.",  # hieraan
        "Ik hecht er waarde aan.",
        "Was u op dat moment op de hoogte?",  # dat is a determiner here
        "Zij nemen dit samen met de gemeenten.",
        "Ik raad u dat voor.",  # voorraden is a noun: no participle voorgeraden
        "Zij wonen in Den Haag.",
        "De minister besluit over de vergunning in de raad.",  # the particle is a preposition here
    ],
)
def test_look_alikes_are_left_apart(text: str) -> None:
    assert _found(text) == []


def test_the_verbs_term_stands_at_the_verbs_place() -> None:
    text = "Trekt de minister het beroep in? Bent u bereid het besluit in te trekken?"
    for query in (False, True):
        at = [t.position for t in analysis.analyze(text, query=query) if t.text == "intrek"]
        assert at == [0, 13], query
    # The whole word still has its own term first, so phrases over the text keep working.
    first = analysis.analyze(text)[0]
    assert (first.text, first.position) == ("trek", 0)


def test_index_positions_match_analyze_on_every_test_document() -> None:
    """The build's fast path places the verbs' terms as ``analyze`` does: sorted positions, and
    the terms counted in the field's length."""
    texts = [path.read_text("utf-8") for path in sorted(TEST_CORPUS.rglob("*")) if path.suffix in (".txt", ".md")]
    joined = 0
    for text in texts:
        expected: dict[str, list[int]] = {}
        tokens = analysis.analyze(text)
        for token in tokens:
            expected.setdefault(token.text, []).append(token.position)
        assert analysis.index_positions(text) == (expected, len(tokens))
        joined += len(split_verbs(text.replace("_", " "), WORD_RE))
    assert joined >= 10, "the test corpus should hold verbs written apart"


def _passages(index: Path, query: str) -> dict[str, dict]:
    done = run_cli("search", query, "--index", str(index), "--json", "--limit", "50")
    return {hit["passage_id"]: hit for hit in json_lines(done)} if done.returncode == 0 else {}


def test_an_infinitive_finds_the_verb_written_apart(test_index: Path) -> None:
    """``intrekken`` finds the question that asks to withdraw the law "in te trekken", which
    has no form of the verb in one word."""
    found = _passages(test_index, "intrekken spreidingswet")
    assert "kv-tk-2024Z18887#10" in found
    text = (found["kv-tk-2024Z18887#10"].get("question") or "").lower()
    assert "in te trekken" in text and "intrek" not in text and "ingetrok" not in text


def test_a_typed_verb_written_apart_finds_the_verb_in_one_word(test_index: Path) -> None:
    """``springt bij`` finds "bijgesprongen", a passage without "springt"."""
    found = _passages(test_index, "springt bij")
    assert "ah-tk-20242025-608#11" in found
    assert "springt" not in (found["ah-tk-20242025-608#11"].get("question") or "")


def test_analyze_shows_the_verb_a_query_word_is_part_of() -> None:
    done = run_cli("analyze", "Trekt de minister het beroep in?")
    assert done.returncode == 0, done.stderr
    lines = {line.split()[0]: line for line in done.stdout.split("as a query:")[1].splitlines() if line.strip()}
    assert "verb intrek" in lines["Trekt"] and "verb intrek" in lines["in"]
    assert "verb" not in lines["minister"]


def test_the_words_of_a_verb_written_apart_are_highlighted(test_index: Path) -> None:
    """``intrekken`` marks "in" and "trekken" of "in te trekken" (each word alone is no match),
    and a query without such a verb marks neither."""
    hit = _passages(test_index, "intrekken spreidingswet")["kv-tk-2024Z18887#10"]
    question = hit["question"]
    marked = [question[start:end] for start, end in hit["highlights"]["question"]]
    assert marked == ["spreidingswet", "in", "trekken"]
    plain = _passages(test_index, "spreidingswet")["kv-tk-2024Z18887#10"]
    assert [question[start:end] for start, end in plain["highlights"]["question"]] == ["spreidingswet"]


def test_a_long_text_finds_every_verb_at_its_own_words() -> None:
    """Thousands of verbs written apart in one text (a long annex, a hostile file) are each
    placed at their own words: the words before each are counted on from the last place."""
    text = "Bent u bereid het besluit in te trekken? Trekt de minister het beroep in? " * 2000
    words = WORD_RE.findall(text)
    found = split_verbs(text, WORD_RE)
    assert len(found) == 4000
    assert all(words[s.verb_at] in ("trekken", "Trekt") and words[s.particle_at] == "in" for s in found)
    assert [s.verb_at for s in found[-2:]] == [len(words) - 7, len(words) - 6]
