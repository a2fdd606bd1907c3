"""Golden word pairs (tests/data/word_pairs.json): match rates per group against floors.

A pair is decided by what a Dutch reader expects, not by what the analyzer does today, so some
groups hold pairs the analyzer still misses. Each group therefore has a floor a little under
its measured rate (docs/relevance.md, "Word pairs"): a drop below it is a regression, a rise is
progress to record by raising the floor. Run with ``-s`` to see the table.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from kvsearch.analysis import terms

PAIRS = json.loads((Path(__file__).parent / "data" / "word_pairs.json").read_text("utf-8"))

#: Lowest share of a group's pairs that must match. Groups that match completely keep 0.98,
#: which for groups under 50 pairs still means every pair.
MATCH_FLOOR = {
    "plurals": 0.98,
    "verb_forms": 0.98,
    "adjectives": 0.98,
    "diacritics": 0.98,
    "hyphenation": 0.98,
    "compounds": 0.98,
    "glued": 0.98,
    "plurals_after_vowel": 0.98,
    "comparatives": 0.98,
    "country_adjectives": 0.98,
    "hyphenated_plurals": 0.98,
    # Strong and -eren verbs only: another weak verb's -t form is as often a noun's (mest).
    "present_tense": 0.73,
    # Strong verbs from a table, -eren verbs by their ending; another weak verb's past in
    # -de/-te is as often an inflected adjective (korte is no past of korten).
    "past_tense": 0.89,
    # Separable verbs written apart: trekt … in, in te trekken (analysis.separable).
    "split_verbs": 0.98,
}
MATCH_FLOOR_OVERALL = 0.965
#: Lowest share of must_not_match pairs that must stay apart, over all their groups.
APART_FLOOR_OVERALL = 0.97


def matches(query_word: str, text_word: str) -> bool:
    """Every term the query word makes is among the text word's terms (and it makes one)."""
    query = set(terms(query_word, query=True))
    return bool(query) and query <= set(terms(text_word))


def apart(query_word: str, text_word: str) -> bool:
    """The two words share no term."""
    return not set(terms(query_word, query=True)) & set(terms(text_word))


def rates(kind: str, decide: Callable[[str, str], bool]) -> dict[str, tuple[int, int, list[str]]]:
    """Per group: pairs decided right, pairs in all, and the pairs decided wrong."""
    out = {}
    for group, pairs in PAIRS[kind].items():
        wrong = [f"{q}/{t}" for q, t in pairs if not decide(q, t)]
        out[group] = (len(pairs) - len(wrong), len(pairs), wrong)
    return out


def report(title: str, by_group: dict[str, tuple[int, int, list[str]]]) -> str:
    lines = [title]
    for group, (right, total, wrong) in by_group.items():
        lines.append(f"  {group:<22} {right:>3}/{total:<3} {right / total:6.3f}  wrong: {', '.join(wrong) or '-'}")
    right = sum(r for r, _, _ in by_group.values())
    total = sum(t for _, t, _ in by_group.values())
    lines.append(f"  {'all':<22} {right:>3}/{total:<3} {right / total:6.3f}")
    return "\n".join(lines)


@pytest.fixture(scope="module")
def match_rates() -> dict[str, tuple[int, int, list[str]]]:
    by_group = rates("match", matches)
    print("\n" + report("match pairs", by_group))
    return by_group


@pytest.fixture(scope="module")
def apart_rates() -> dict[str, tuple[int, int, list[str]]]:
    by_group = rates("must_not_match", apart)
    print("\n" + report("must_not_match pairs", by_group))
    return by_group


def test_file_is_big_and_spread() -> None:
    match = sum(len(p) for p in PAIRS["match"].values())
    must_not = sum(len(p) for p in PAIRS["must_not_match"].values())
    assert match + must_not >= 250
    assert len(PAIRS["match"]["verb_forms"]) >= 40
    assert must_not >= 40
    for group in ("plurals_after_vowel", "comparatives", "country_adjectives", "hyphenated_plurals"):
        assert len(PAIRS["match"][group]) >= 10, group
    for kind in ("match", "must_not_match"):
        for group, pairs in PAIRS[kind].items():
            assert all(len(p) == 2 and all(w.strip() for w in p) for p in pairs), group
            assert len({tuple(p) for p in pairs}) == len(pairs), f"a pair is listed twice in {group}"


def test_every_match_group_has_a_floor() -> None:
    assert set(PAIRS["match"]) == set(MATCH_FLOOR)


@pytest.mark.parametrize("group", sorted(MATCH_FLOOR))
def test_match_rate_per_group(group: str, match_rates: dict[str, tuple[int, int, list[str]]]) -> None:
    right, total, wrong = match_rates[group]
    assert right / total >= MATCH_FLOOR[group], (
        f"[{group}] {right}/{total} < floor {MATCH_FLOOR[group]}; wrong: {', '.join(wrong)}"
    )


def test_match_rate_overall(match_rates: dict[str, tuple[int, int, list[str]]]) -> None:
    right = sum(r for r, _, _ in match_rates.values())
    total = sum(t for _, t, _ in match_rates.values())
    assert right / total >= MATCH_FLOOR_OVERALL, report("match pairs", match_rates)


def test_must_not_match_overall(apart_rates: dict[str, tuple[int, int, list[str]]]) -> None:
    right = sum(r for r, _, _ in apart_rates.values())
    total = sum(t for _, t, _ in apart_rates.values())
    assert right / total >= APART_FLOOR_OVERALL, report("must_not_match pairs", apart_rates)


def test_the_rates_can_fail() -> None:
    """The measure itself: a plural matches its singular, a stem false friend is kept apart."""
    assert matches("maatregel", "maatregelen")
    assert not matches("maatregel", "vergunning")
    assert apart("wet", "weten")
    assert not apart("maatregel", "maatregelen")
