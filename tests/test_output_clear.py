"""The one-line search says plainly what each hit is: notices before the hits, hits that lack a
query word marked, a delay notice not shown as an answer, unanswered questions marked, and a
date sort that keeps scores and question order."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, run_cli

RELAXED_NOTICE = "no passage has all the words"


def _search_merged(*args: str) -> str:
    """stdout and stderr of a search in one stream, in the order a terminal shows them."""
    done = subprocess.run(
        [sys.executable, "-m", "kvsearch", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
        cwd=ROOT,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout
    return done.stdout


def _json_hits(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def _hit_blocks(output: str) -> list[str]:
    """The text listing cut into one block per hit (each starts with "N. ")."""
    return re.split(r"\n(?=\d+\. )", output.strip())


def test_relaxed_notice_comes_before_the_hits(real_index: Path) -> None:
    output = _search_merged("stikstof", "boeren", "--index", str(real_index))
    first_hit = re.search(r"^1\. ", output, re.MULTILINE)
    assert RELAXED_NOTICE in output and first_hit
    assert output.index(RELAXED_NOTICE) < first_hit.start()


def test_hits_of_a_relaxed_search_name_the_words_they_lack(real_index: Path) -> None:
    done = run_cli("stikstof", "boeren", "--index", str(real_index), "-n", "20")
    assert done.returncode == 0 and RELAXED_NOTICE in done.stderr
    blocks = _hit_blocks(done.stdout)
    assert blocks
    for block in blocks:
        head, _title, _info, *texts = block.splitlines()
        lacking = re.search(r"\(zonder: ([^)]*)\)$", head)
        assert lacking, head
        missing = lacking.group(1).split(", ")
        assert set(missing) < {"stikstof", "boeren"}, head
        if missing == ["stikstof"]:
            assert "stikstof" not in " ".join(texts).lower(), block


def test_a_search_with_all_words_marks_no_hit(real_index: Path) -> None:
    done = run_cli("minister", "--index", str(real_index), "-n", "5")
    assert done.returncode == 0 and done.stdout
    assert "(zonder:" not in done.stdout


def test_a_delay_notice_is_not_shown_as_an_answer(real_index: Path) -> None:
    found = _json_hits(run_cli("soort:mededeling", "--index", str(real_index), "-n", "50", "--json").stdout)
    blocks = _hit_blocks(run_cli("soort:mededeling", "--index", str(real_index), "-n", "50").stdout)
    assert len(blocks) == len(found)
    notices = 0
    for hit, block in zip(found, blocks, strict=True):
        if hit["answer"] and not hit["questions"]:
            notices += 1
            assert "\n   Mededeling: " in block and "\n   A: " not in block, block
    assert notices


def test_unanswered_and_delayed_questions_are_marked(real_index: Path) -> None:
    for query, kind, label in (
        ("status:onbeantwoord", "vragen", "nog niet beantwoord"),
        ("soort:mededeling", "mededeling", "antwoord uitgesteld"),
    ):
        found = _json_hits(run_cli(query, "--index", str(real_index), "-n", "50", "--json").stdout)
        waiting = [hit for hit in found if hit["kind"] == kind and hit["questions"] and not hit["answer"]]
        assert waiting, query
        blocks = _hit_blocks(run_cli(query, "--index", str(real_index), "-n", "50").stdout)
        assert len(blocks) == len(found)
        for hit, block in zip(found, blocks, strict=True):
            info = block.splitlines()[2]
            assert (label in info) == (hit in waiting), block


def test_answered_questions_carry_no_marker(real_index: Path) -> None:
    done = run_cli("soort:antwoord", "--index", str(real_index), "-n", "20")
    assert done.returncode == 0 and done.stdout
    assert "nog niet beantwoord" not in done.stdout and "antwoord uitgesteld" not in done.stdout


def test_date_sort_reports_relevance_scores_and_keeps_question_order(real_index: Path) -> None:
    by_date = _json_hits(run_cli("minister", "--index", str(real_index), "--json", "--sort", "date", "-n", "40").stdout)
    by_relevance = _json_hits(run_cli("minister", "--index", str(real_index), "--json", "-n", "1000").stdout)
    relevance = {hit["passage_id"]: hit["score"] for hit in by_relevance}
    assert by_date
    for hit in by_date:
        assert abs(hit["score"] - relevance[hit["passage_id"]]) < 0.01, hit["passage_id"]
    numbers: dict[str, list[int]] = {}
    for hit in by_date:
        numbers.setdefault(hit["doc_id"], []).append(min(hit["questions"], default=0))
    assert any(len(found) > 1 for found in numbers.values()), numbers
    for doc_id, found in numbers.items():
        assert found == sorted(found), doc_id


def test_date_sort_text_shows_a_readable_score(real_index: Path) -> None:
    done = run_cli("minister", "--index", str(real_index), "--sort", "date", "-n", "5")
    scores = [float(s) for s in re.findall(r"score ([\d.e+]+)", done.stdout)]
    assert scores and all(0 < score < 1000 for score in scores), scores


FILL_HEADING = "Passages with most of the words"


def test_few_hits_with_every_word_go_on_with_those_that_have_most_of_them(test_index: Path) -> None:
    """One passage has both words: the listing shows it, then passages with one of them, each
    marked with the word it lacks; a script's JSON gets only the passage with both."""
    done = run_cli("neutraliteit", "ambtenaren", "--index", str(test_index))
    assert done.returncode == 0, done.stderr
    exact, heading, rest = done.stdout.partition(FILL_HEADING)
    assert heading, done.stdout
    close = _hit_blocks(rest.split("\n", 1)[1])
    assert len(_hit_blocks(exact)) == 1 and "(zonder:" not in exact
    assert close and 1 + len(close) <= 10
    for block in close:
        assert re.search(r"\(zonder: (neutraliteit|ambtenaren)\)$", block.splitlines()[0]), block
    found = _json_hits(run_cli("neutraliteit", "ambtenaren", "--index", str(test_index), "--json").stdout)
    assert [hit["passage_id"] for hit in found] == ["ah-tk-20232024-1064#8"]
    # A page the passages with every word fill is not added to.
    one = run_cli("neutraliteit", "ambtenaren", "--index", str(test_index), "-n", "1")
    assert FILL_HEADING not in one.stdout and len(_hit_blocks(one.stdout)) == 1


def test_filling_a_page_keeps_the_count_of_what_the_query_matches(test_index: Path) -> None:
    import kvsearch

    plain = kvsearch.search("neutraliteit ambtenaren", index_dir=test_index)
    filled = kvsearch.search("neutraliteit ambtenaren", index_dir=test_index, fill=True)
    assert plain.total == filled.total == len(plain.hits) == 1 and plain.close == 0
    assert filled.hits[: filled.total] == plain.hits
    assert filled.close == len(filled.hits) - filled.total > 0
    assert all(hit.missing for hit in filled.hits[filled.total :])
    assert len({hit.passage_id for hit in filled.hits}) == len(filled.hits)
    by_date = kvsearch.search("neutraliteit ambtenaren", index_dir=test_index, fill=True, sort="date")
    assert by_date.close == 0 and len(by_date.hits) == 1
