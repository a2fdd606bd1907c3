"""Fetched documents in every command: fetch → index → search, filters, show, citations, the TUI.

An answer published as ``ah-<digits>`` (PDF-only, no id or number in its text) is known by what its
metadata says: its Aanhangsel number when the metadata gives one, else the Kamer's number of its
questions (``vraagnummer``), and its parliamentary year. Nothing a user reads cites it as "nr. ah-…".
Real CLI, real index, the replay of tests/fetch_replay.py; the TUI is driven with Textual's Pilot.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kvsearch.tui.screens.document import DocumentScreen
from kvsearch.tui.widgets.passage_view import PassageBody
from tests.conftest import DATA, doc_ids, json_lines, run_cli
from tests.fetch_replay import Replay, Reply, document_path, serve_archive
from tests.test_tui import answered, make_app, shown, until

SRU = DATA / "sru"
METADATA = Path(".kvsearch-fetch") / "metadata"
NEW_ID = "ah-1251487"
KLARNA_CITATION = "Aanhangsel Handelingen II 2025/26, Kamervragen 2026Z08811, antwoord op vraag 1"


def fetched_index(tmp_path: Path, metadata: bytes | None = None) -> Path:
    """The replay's archive fetched and indexed by the real commands; ``metadata`` replaces the
    ``metadata.xml`` the service gives for ``ah-1251487``."""
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    replay = Replay()
    try:
        serve_archive(replay)
        if metadata is not None:
            path = document_path(NEW_ID, "metadata", "ah/onopgemaakt")
            replay.on(path, Reply(body=metadata, headers={"Content-Type": "application/xml"}))
        done = run_cli("fetch", "--corpus", str(corpus), "--sru-url", replay.sru_url, "--rate", "100", "--json")
        assert done.returncode == 0, done.stderr
    finally:
        replay.close()
    done = run_cli("index", "--corpus", str(corpus), "--index", str(index))
    assert done.returncode == 0, done.stderr
    return index


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fetched_index(tmp_path_factory.mktemp("fetched"))


def test_an_answer_without_a_number_is_known_by_the_kamer_number_of_its_questions(index: Path) -> None:
    assert doc_ids(index, "Klarna") == {NEW_ID}
    assert doc_ids(index, "nr:2026Z08811") == {NEW_ID}
    assert doc_ids(index, f"id:{NEW_ID}") == {NEW_ID}
    assert doc_ids(index, "incassokosten vergaderjaar:2025-2026") == {NEW_ID}
    assert doc_ids(index, "nr:1076") == {"ah-tk-20232024-1076"}

    text = run_cli("show", NEW_ID, "--index", str(index))
    assert text.returncode == 0, text.stderr
    assert "Citeer als: Aanhangsel Handelingen II 2025/26, Kamervragen 2026Z08811, antwoord" in text.stdout
    assert "nr. ah-" not in text.stdout
    one = run_cli("show", f"{NEW_ID}#1", "--index", str(index))
    assert f"Citeer als: {KLARNA_CITATION}\n" in one.stdout
    passage = json_lines(run_cli("show", f"{NEW_ID}#2", "--index", str(index), "--json"))
    assert [(p["passage_id"], p["number"], p["reference"]) for p in passage] == [
        (f"{NEW_ID}#2", "2026Z08811", "2026Z08811")
    ]

    numbered = run_cli("show", "ah-tk-20232024-1076", "--index", str(index))
    assert "Citeer als: Aanhangsel Handelingen II 2023/24, nr. 1076, antwoord\n" in numbered.stdout


def test_an_answer_whose_metadata_gives_its_aanhangsel_number_is_cited_by_it(tmp_path: Path) -> None:
    metadata = (SRU / f"metadata-{NEW_ID}.xml").read_text(encoding="utf-8")
    vraagnummer = '<metadata name="OVERHEIDop.vraagnummer"'
    number = '<metadata name="OVERHEIDop.aanhangselNummer" scheme="" content="2141"/>'
    numbered = metadata.replace(vraagnummer, f"{number}\n  {vraagnummer}")
    assert numbered != metadata
    index = fetched_index(tmp_path, numbered.encode())
    assert doc_ids(index, "nr:2141") == {NEW_ID}
    assert doc_ids(index, "nr:2141 vergaderjaar:2023-2024") == set()
    text = run_cli("show", f"{NEW_ID}#1", "--index", str(index))
    assert "Citeer als: Aanhangsel Handelingen II 2025/26, nr. 2141, antwoord op vraag 1\n" in text.stdout


@pytest.mark.asyncio
async def test_the_tui_cites_and_shows_a_fetched_answer_by_its_official_numbers(index: Path) -> None:
    app = make_app(index, "Klarna")
    async with app.run_test(size=(120, 40)) as pilot:
        await answered(pilot)
        assert app.current is not None and app.current.passage_id == f"{NEW_ID}#1"
        meta = shown(app)["meta"]
        assert "nr. 2026Z08811 (2025-2026)" in meta and KLARNA_CITATION in meta
        assert "nr. ah-" not in meta
        app.query_one("#hits").focus()
        await pilot.press("c")
        assert app.clipboard == KLARNA_CITATION
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, DocumentScreen))
        bodies = list(app.screen.query(PassageBody))
        assert [body.hit.passage_id for body in bodies if body.hit] == [f"{NEW_ID}#1", f"{NEW_ID}#2"]


# --------------------------------------------------------------------------------------------
# one person, spelled by the metadata and by a document's text


def test_an_asker_spelled_with_initials_and_without_is_one_person(tmp_path: Path) -> None:
    """The text of a PDF names "Van Haga"; the metadata of another answer "W.S. van Haga"."""
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    (corpus / METADATA).mkdir(parents=True)
    shutil.copyfile(SRU / "ah-tk-20232024-1076.pdf", corpus / "sinterklaas.pdf")
    shutil.copyfile(SRU / f"{NEW_ID}.pdf", corpus / f"{NEW_ID}.pdf")
    metadata = (SRU / f"metadata-{NEW_ID}.xml").read_text(encoding="utf-8").replace("D.G. Ceder", "W.S. van Haga")
    (corpus / METADATA / f"{NEW_ID}.xml").write_text(metadata, encoding="utf-8")
    built = run_cli("index", "--corpus", str(corpus), "--index", str(index))
    assert built.returncode == 0, built.stderr

    askers = {
        hit["doc_id"]: hit["askers"][0]["name"]
        for hit in json_lines(run_cli("search", "indiener:Haga", "--index", str(index), "--json"))
    }
    assert askers == {"ah-tk-20232024-1076": "Van Haga", NEW_ID: "W.S. van Haga"}
    both = {"ah-tk-20232024-1076", NEW_ID}
    assert doc_ids(index, 'indiener:"Van Haga"') == both
    assert doc_ids(index, 'indiener:"W.S. van Haga"') == both
    listed = run_cli("search", "Klarna", "--index", str(index), "--indiener", "W.S. van Haga", "--json")
    assert {hit["doc_id"] for hit in json_lines(listed)} == {NEW_ID}
    assert doc_ids(index, 'indiener:"Van Dijk"') == set()


# --------------------------------------------------------------------------------------------
# a question and its later answer, in the TUI's document screen


@pytest.mark.asyncio
async def test_the_document_screen_jumps_from_question_to_answer_and_back(tmp_path: Path) -> None:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    question, answer = "kv-tk-2024Z00123", "ah-tk-20232024-1100"
    replay = Replay()
    try:
        replay.on("sru:zonder-antwoord:1", Reply(body=replay.fixture("zonder-antwoord-page-1.xml")))
        replay.on("sru:aanhangsel:1", Reply(body=replay.fixture("aanhangsel-later-answer.xml")))
        replay.on(document_path(question, "xml", "kv-tk/2024Z00123"), Reply(body=replay.fixture(f"{question}.xml")))
        replay.on(document_path(answer, "xml"), Reply(body=replay.fixture(f"{answer}.xml")))
        done = run_cli("fetch", "--corpus", str(corpus), "--sru-url", replay.sru_url, "--rate", "100", "--json")
        assert done.returncode == 0, done.stderr
    finally:
        replay.close()
    assert run_cli("index", "--corpus", str(corpus), "--index", str(index)).returncode == 0
    for shown_id in (answer, question):  # the questions' id shows the answer kept in their place
        text = run_cli("show", shown_id, "--index", str(index))
        assert text.returncode == 0, text.stderr
        assert text.stdout.startswith(answer) and f"\nAntwoord op de vragen {question}\n" in text.stdout

    app = make_app(index, f"id:{question}")
    async with app.run_test(size=(80, 24)) as pilot:
        await answered(pilot)
        assert app.current is not None and app.current.doc_id == answer
        assert f"Antwoord op de vragen {question}" in shown(app)["meta"]
        app.query_one("#hits").focus()
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, DocumentScreen))
        screen = app.screen
        assert isinstance(screen, DocumentScreen)
        await pilot.pause()
        scroll = screen.query_one("#document")
        current = next(body for body in screen.query(PassageBody) if body.has_class("current"))

        def in_sight(side: str) -> bool:
            label = current.query_one(f".{side} .label").region
            return scroll.content_region.y <= label.y < scroll.content_region.bottom

        assert screen.marked is None
        await pilot.press("a")
        await pilot.pause()
        assert screen.marked == "answer" and in_sight("answer")
        await pilot.press("a")
        await pilot.pause()
        assert screen.marked == "question" and in_sight("question")
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, DocumentScreen))
