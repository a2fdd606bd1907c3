"""Questions meet their answers: the questions' own publication ("Kamervragen zonder antwoord") and the
answer with the same Kamer number are one document, the answer, which names the questions' id.

Real CLI, real documents: a hand-made corpus from tests/data/corpus, and a replayed fetch of a question
and its later answer (tests/fetch_replay.py, tests/data/sru). The TUI is driven with Textual's Pilot.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import doc_ids, json_lines, run_cli
from tests.fetch_replay import Replay, Reply, document_path
from tests.test_tui import answered, make_app, search

LIMBURG = Path(__file__).parent / "data" / "corpus" / "limburg-2024"
#: The Boswijk questions (kv-tk-2024Z18792, from their PDF) and the answer to them (from its DOCX).
QUESTION_FILE, QUESTION_ID = "De_ontkoppeling_van_ontwikkelingshulp-pdf.txt", "kv-tk-2024Z18792"
ANSWER_FILE, ANSWER_ID = "Antwoord_op_vragen_van_het_lid_Boswijk_o-docx.txt", "ah-tk-20242025-605"
#: Questions nobody has answered in this corpus (kv-tk-2024Z18794).
OPEN_FILE, OPEN_ID = "Het_werken_met_ambtenaren-pdf.txt", "kv-tk-2024Z18794"


def build(corpus: Path, index: Path) -> subprocess.CompletedProcess[str]:
    built = run_cli("index", "--corpus", str(corpus), "--index", str(index))
    assert built.returncode == 0, built.stderr
    return built


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name in (QUESTION_FILE, OPEN_FILE):
        shutil.copy(LIMBURG / name, folder / name)
    return folder


def test_an_answer_names_its_questions_and_their_id_finds_it(corpus: Path, tmp_path: Path) -> None:
    index = tmp_path / "index"
    shutil.copy(LIMBURG / ANSWER_FILE, corpus / ANSWER_FILE)
    build(corpus, index)

    hits = json_lines(run_cli("search", "ontkoppeling", "--index", str(index), "--json"))
    assert {hit["doc_id"] for hit in hits} == {ANSWER_ID}
    assert {hit["question_id"] for hit in hits} == {QUESTION_ID}

    shown = json_lines(run_cli("show", QUESTION_ID, "--index", str(index), "--json"))
    assert {passage["doc_id"] for passage in shown} == {ANSWER_ID}
    assert {passage["question_id"] for passage in shown} == {QUESTION_ID}
    assert all(passage["answer"] for passage in shown)
    one = json_lines(run_cli("show", f"{QUESTION_ID}#2", "--index", str(index), "--json"))
    assert [passage["doc_id"] for passage in one] == [ANSWER_ID] and 2 in one[0]["questions"]
    assert doc_ids(index, f"id:{QUESTION_ID}") == {ANSWER_ID}
    lines = run_cli("search", f"id:{QUESTION_ID}", "--index", str(index), "--format", "{doc_id} {question_id}")
    assert set(lines.stdout.splitlines()) == {f"{ANSWER_ID} {QUESTION_ID}"}, lines.stderr

    assert doc_ids(index, "status:beantwoord") == {ANSWER_ID}
    assert doc_ids(index, "status:onbeantwoord") == {OPEN_ID}

    unanswered = json_lines(run_cli("show", OPEN_ID, "--index", str(index), "--json"))
    assert {passage["question_id"] for passage in unanswered} == {None}


def test_an_answer_that_arrives_later_answers_the_questions_in_the_next_build(corpus: Path, tmp_path: Path) -> None:
    index = tmp_path / "index"
    build(corpus, index)
    assert doc_ids(index, "status:onbeantwoord") == {QUESTION_ID, OPEN_ID}
    assert {p["doc_id"] for p in json_lines(run_cli("show", QUESTION_ID, "--index", str(index), "--json"))} == {
        QUESTION_ID
    }

    shutil.copy(LIMBURG / ANSWER_FILE, corpus / ANSWER_FILE)
    build(corpus, index)
    assert doc_ids(index, "status:onbeantwoord") == {OPEN_ID}
    assert doc_ids(index, "status:beantwoord") == {ANSWER_ID}
    shown = json_lines(run_cli("show", QUESTION_ID, "--index", str(index), "--json"))
    assert {(p["doc_id"], p["question_id"]) for p in shown} == {(ANSWER_ID, QUESTION_ID)}

    # Without the questions' file the answer stands alone again, and names no questions.
    (corpus / QUESTION_FILE).unlink()
    build(corpus, index)
    hits = json_lines(run_cli("search", f"id:{ANSWER_ID}", "--index", str(index), "--json"))
    assert {(hit["doc_id"], hit["question_id"]) for hit in hits} == {(ANSWER_ID, None)}
    missing = run_cli("show", QUESTION_ID, "--index", str(index))
    assert missing.returncode == 1 and QUESTION_ID in missing.stderr


# --------------------------------------------------------------------------------------------
# a question fetched, its answer fetched later


@pytest.fixture
def replay():
    server = Replay()
    yield server
    server.close()


def fetch(corpus: Path, replay: Replay) -> None:
    done = run_cli("fetch", "--corpus", str(corpus), "--sru-url", replay.sru_url, "--rate", "100", "--json")
    assert done.returncode == 0, done.stderr


def test_a_fetched_question_is_answered_once_its_answer_is_fetched(tmp_path: Path, replay: Replay) -> None:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    question, answer = "kv-tk-2024Z00123", "ah-tk-20232024-1100"
    replay.on("sru:zonder-antwoord:1", Reply(body=replay.fixture("zonder-antwoord-page-1.xml")))
    replay.on("sru:aanhangsel:1", Reply(body=replay.fixture("empty.xml")))
    replay.on(document_path(question, "xml", "kv-tk/2024Z00123"), Reply(body=replay.fixture(f"{question}.xml")))
    fetch(corpus, replay)
    build(corpus, index)
    assert doc_ids(index, "wachtlijsten status:onbeantwoord") == {question}
    assert doc_ids(index, "wachtlijsten status:beantwoord") == set()

    replay.on("sru:aanhangsel:1", Reply(body=replay.fixture("aanhangsel-later-answer.xml")))
    replay.on(document_path(answer, "xml"), Reply(body=replay.fixture(f"{answer}.xml")))
    fetch(corpus, replay)
    build(corpus, index)
    hits = json_lines(run_cli("search", "wachtlijsten", "--index", str(index), "--json"))
    assert {(hit["doc_id"], hit["question_id"]) for hit in hits} == {(answer, question)}
    assert doc_ids(index, "wachtlijsten status:beantwoord") == {answer}
    assert doc_ids(index, "wachtlijsten status:onbeantwoord") == set()
    shown = json_lines(run_cli("show", question, "--index", str(index), "--json"))
    assert {(p["doc_id"], p["question_id"]) for p in shown} == {(answer, question)}
    assert any(p["questions"] == [2, 3] for p in shown)  # "Antwoord 2 en 3": the answer's passages
    text = run_cli("show", question, "--index", str(index))
    assert text.returncode == 0 and text.stdout.startswith(answer)


# --------------------------------------------------------------------------------------------
# the TUI


@pytest.fixture
def linked_index(corpus: Path, tmp_path: Path) -> Path:
    index = tmp_path / "index"
    shutil.copy(LIMBURG / ANSWER_FILE, corpus / ANSWER_FILE)
    build(corpus, index)
    return index


@pytest.mark.asyncio
async def test_the_tui_jumps_from_a_question_to_its_answer_and_back(linked_index: Path) -> None:
    from kvsearch.tui.widgets.passage_view import PassageView

    app = make_app(linked_index, "ontkoppeling")
    async with app.run_test(size=(80, 24)) as pilot:
        await answered(pilot)
        assert app.current is not None and app.current.doc_id == ANSWER_ID
        view = app.query_one("#passage", PassageView)
        app.query_one("#hits").focus()

        def in_sight(side: str) -> bool:
            label = view.query_one(f"#body .{side} .label").region
            return view.content_region.y <= label.y < view.content_region.bottom

        assert view.marked is None and in_sight("question") and not in_sight("answer")
        await pilot.press("a")
        await pilot.pause()
        assert view.marked == "answer" and in_sight("answer") and not in_sight("question")
        await pilot.press("a")
        await pilot.pause()
        assert view.marked == "question" and in_sight("question") and not in_sight("answer")
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert "Question ⇄ answer" in titles


@pytest.mark.asyncio
async def test_the_tui_says_when_a_question_has_no_answer_yet(linked_index: Path) -> None:
    app = make_app(linked_index, "")
    async with app.run_test(size=(80, 24)) as pilot:
        await search(pilot, "status:onbeantwoord")
        assert app.current is not None and app.current.doc_id == OPEN_ID
        app.query_one("#hits").focus()
        await pilot.press("a")
        await pilot.pause()
        assert any("has no answer yet" in str(n.message) for n in app._notifications)
