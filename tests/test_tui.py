"""The terminal UI, driven with Textual's Pilot against indexes built by the real CLI.

Behaviour first (typing searches, the first hit is shown, previous/next passage, filters,
help, errors, untrusted text, an index rebuilt underneath), then a few SVG snapshots.
"""

from __future__ import annotations

import gc
import re
import shutil
import time
import weakref
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Static
from textual.widgets._footer import FooterKey

from kvsearch.searcher.open import _OPEN
from kvsearch.tui import KvsearchApp
from kvsearch.tui.messages import HitsFound
from kvsearch.tui.screens.document import DocumentScreen
from kvsearch.tui.screens.help import HelpScreen
from kvsearch.tui.screens.json import JsonScreen
from kvsearch.tui.text import citation, highlighted
from kvsearch.tui.widgets.facets import FacetList
from kvsearch.tui.widgets.hit_list import HitList
from kvsearch.tui.widgets.passage_view import PassageBody
from kvsearch.tui.widgets.search_bar import SearchBar
from tests.conftest import run_cli

EVIL = """\
## Vragen gesteld door de leden der Kamer, met de daarop door de regering gegeven antwoorden

### 9999

Vragen van het lid **Jansen** (SP) aan de Minister van Binnenlandse Zaken en Koninkrijksrelaties over \
*[bold]vette[/bold] titels en [link=https://evil.example]klik[/link]* (ingezonden 1 februari 2024).

Antwoord van Minister **De Vries** (Binnenlandse Zaken en Koninkrijksrelaties) (ontvangen 20 februari 2024).

#### Vraag 1

Wat vindt u van [bold]opmaak[/bold] en [link=https://evil.example]deze koppeling[/link] in een kwaadaardige brief?

#### Antwoord 1

Een kwaadaardige brief met klembordtekst \x1b]52;c;ZXZpbA==\x07 en een schermwisser \x1b[2J blijft \
gewone tekst, ook [/] en [bold.

#### Vraag 2

Komt er een tweede brief?

#### Antwoord 2

Nee, er komt geen tweede brief.
"""

SECOND = EVIL.replace("9999", "9998").replace("kwaadaardige", "vriendelijke").replace("[", "(").replace("]", ")")


def make_app(index: Path, query: str = "", **kwargs: object) -> KvsearchApp:
    """The app as ``kvsearch tui`` builds it, with no clock in its output and no index polling."""
    kwargs.setdefault("watch_seconds", 3600)
    return KvsearchApp(index_dir=index, query=query, show_timing=False, **kwargs)  # type: ignore[arg-type]


async def until(pilot: Pilot, condition: Callable[[], object], timeout: float = 10.0) -> None:
    """Let the app run until ``condition`` holds (it is the app's own state that is awaited)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the app"
        await pilot.pause(0.01)
    await pilot.pause()


async def answered(pilot: Pilot) -> None:
    """Wait until the latest search has been answered and its first hit is on screen."""
    app = pilot.app
    assert isinstance(app, KvsearchApp)
    await app.workers.wait_for_complete()
    await until(pilot, lambda: app.answered == app.request)


async def footer_settled(pilot: Pilot) -> None:
    """Wait until the footer offers every key the screen has now: it redraws only after a
    refresh once the focus or the screen changes, which a loaded machine can delay past a pause."""
    screen = pilot.app.screen

    def offered() -> bool:
        wanted = {binding.action for _, binding, _, _ in screen.active_bindings.values() if binding.show}
        return wanted <= {key.action for key in screen.query(FooterKey)}

    await until(pilot, offered)


async def search(pilot: Pilot, query: str) -> None:
    """Type ``query`` into the search box and press Enter."""
    app = pilot.app
    assert isinstance(app, KvsearchApp)
    bar = app.query_one(SearchBar)
    bar.focus()
    bar.value = ""
    before = app.request
    await pilot.press(*query, "enter")
    await until(pilot, lambda: app.request > before and app.query_text == query)
    await answered(pilot)


def plain(widget: Static) -> str:
    return str(widget.render())


def shown(app: KvsearchApp) -> dict[str, str]:
    body = app.query_one("#passage PassageBody", PassageBody)
    return {
        "meta": plain(body.query_one(".meta", Static)),
        "question": plain(body.query_one(".question .text", Static)),
        "answer": plain(body.query_one(".answer .text", Static)),
        "notes": plain(body.query_one(".notes", Static)),
    }


def status(app: KvsearchApp) -> str:
    return plain(app.query_one("#status", Static))


@pytest.fixture(scope="module")
def evil_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    corpus = tmp_path_factory.mktemp("evil") / "corpus"
    corpus.mkdir()
    (corpus / "ah-tk-20232024-9999.md").write_text(EVIL, encoding="utf-8")
    return corpus


@pytest.fixture(scope="module")
def evil_index(evil_corpus: Path) -> Path:
    index = evil_corpus.parent / "index"
    done = run_cli("index", "--corpus", str(evil_corpus), "--index", str(index))
    assert done.returncode == 0, done.stderr
    return index


# --------------------------------------------------------------------------------------------
# searching


@pytest.mark.asyncio
async def test_typing_searches_after_a_pause_and_shows_the_first_hit(real_index: Path) -> None:
    app = make_app(real_index)
    async with app.run_test(size=(120, 40)) as pilot:
        assert app.focused is app.query_one(SearchBar)
        await pilot.press(*"ambtenaren")  # no Enter: the debounce fires the search
        await until(pilot, lambda: app.query_text == "ambtenaren" and app.answered == app.request)
        hits = app.query_one(HitList).hits
        assert hits and app.current == hits[0]
        assert re.match(r"(\d+ of )?\d+ hits$", status(app)), status(app)  # timing hidden under test
        text = shown(app)
        assert text["question"] == " ".join(hits[0].question.split()) or hits[0].question[:40] in text["question"]
        assert hits[0].answer[:40] in text["answer"]
        assert "ambtenaren" in text["answer"].lower() + text["question"].lower()
        # keystrokes closer together than the debounce make one search
        before = app.request
        bar = app.query_one(SearchBar)
        for char in " politiek":
            bar.insert_text_at_cursor(char)
        await until(pilot, lambda: app.query_text == "ambtenaren politiek" and app.answered == app.request)
        assert app.request == before + 1


@pytest.mark.asyncio
async def test_enter_searches_at_once_and_another_hit_can_be_selected(real_index: Path) -> None:
    found: list[HitsFound] = []
    app = make_app(real_index)
    async with app.run_test(
        size=(120, 40), message_hook=lambda m: found.append(m) if isinstance(m, HitsFound) else None
    ) as pilot:
        await search(pilot, "ambtenaren")
        assert found[-1].result.hits[0].passage_id == "ah-tk-20232024-1064#8"
        assert app.current.passage_id == "ah-tk-20232024-1064#8"
        assert "Aanhangsel Handelingen II 2023/24, nr. 1064, antwoord op vraag 8" in shown(app)["meta"]
        await pilot.press("down", "down")  # into the list, then the second hit
        second = app.query_one(HitList).hits[1]
        assert app.current == second
        assert second.answer[:40] in shown(app)["answer"]
        await pilot.click(HitList, offset=(5, 1))  # the mouse selects the first hit again
        await pilot.pause()
        assert app.current.passage_id == "ah-tk-20232024-1064#8"


@pytest.mark.asyncio
async def test_few_hits_with_every_word_go_on_with_those_that_have_most_of_them(real_index: Path) -> None:
    app = make_app(real_index, "neutraliteit ambtenaren")
    async with app.run_test(size=(120, 40)) as pilot:
        await answered(pilot)
        listed = app.query_one(HitList)
        hits = listed.hits
        assert hits[0].passage_id == "ah-tk-20232024-1064#8" and not hits[0].missing
        assert len(hits) > 1 and all(hit.missing for hit in hits[1:])
        assert f"then {len(hits) - 1} with most of the words" in status(app)
        second = str(listed.get_option_at_index(2).prompt)  # a separator line between hits
        assert "zonder: " in second and "zonder: " not in str(listed.get_option_at_index(0).prompt)


@pytest.mark.asyncio
async def test_previous_and_next_passage_of_the_same_document(real_index: Path) -> None:
    app = make_app(real_index, "neutraliteit ambtenaren")
    async with app.run_test(size=(120, 40)) as pilot:
        await answered(pilot)
        app.query_one(HitList).focus()
        assert app.current.passage_id == "ah-tk-20232024-1064#8"
        await pilot.press("n")
        await until(pilot, lambda: app.current.passage_id != "ah-tk-20232024-1064#8")
        assert app.current.passage_id == "ah-tk-20232024-1064#9"
        await pilot.press("p", "p")
        await pilot.pause()
        assert app.current.passage_id == "ah-tk-20232024-1064#6-7"
        assert shown(app)["question"].startswith(app.current.question[:30])
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, DocumentScreen))
        bodies = list(app.screen.query(PassageBody))
        assert len(bodies) == 7 and "current" in bodies[4].classes  # 1-2, 3, 4, 5, 6-7, 8, 9


@pytest.mark.asyncio
async def test_the_warm_up_opens_the_index_with_what_the_facets_read(
    test_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the user starts typing, the app readies the facet counts: its first search with
    hits does not wait for them. What it has loaded is then left out of garbage collections."""
    from kvsearch.engine import bulk_scores

    bulk_scores._VALUE_COMBINATIONS.clear()
    gc.unfreeze()  # another app's warm-up in this process may have frozen objects already
    app = make_app(test_index)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: len(bulk_scores._VALUE_COMBINATIONS) > 0)
        await app.workers.wait_for_complete()
        assert gc.get_freeze_count() > 0

        def not_again(*args: object) -> None:
            raise AssertionError("made again")

        monkeypatch.setattr(bulk_scores._ValueCombinations, "of", not_again)
        await search(pilot, "ambtenaren")
        assert "party:JA21" in app.query_one(FacetList).choices


@pytest.mark.asyncio
async def test_a_facet_filter_narrows_the_hits_and_x_drops_it(real_index: Path) -> None:
    app = make_app(real_index, "ambtenaren")
    async with app.run_test(size=(120, 40)) as pilot:
        await answered(pilot)
        before = len(app.query_one(HitList).hits)
        facets = app.query_one(FacetList)
        assert "party:JA21" in facets.choices and "session:2024-2025" in facets.choices
        await pilot.press("down", "f")  # leave the search box, go to the filters
        assert app.focused is facets
        facets.highlighted = facets.get_option_index("party:JA21")
        await pilot.press("enter")
        await answered(pilot)
        hits = app.query_one(HitList).hits
        assert app.filters == {"party": "JA21"} and 0 < len(hits) < before
        assert all(any(a.get("party") == "JA21" for a in h.document["askers"]) for h in hits)
        assert "partij JA21" in status(app)
        assert "party:SP" in facets.choices, "the other parties stay choosable"
        assert "session:2024-2025" not in facets.choices  # JA21 asked only in 2023-2024
        await pilot.press("x")
        await answered(pilot)
        assert not app.filters and len(app.query_one(HitList).hits) == before


@pytest.mark.asyncio
async def test_no_hits_suggests_a_spelling_and_dropping_filters(real_index: Path) -> None:
    app = make_app(real_index)
    async with app.run_test(size=(120, 40)) as pilot:
        await search(pilot, "neutralitijt")
        text = plain(app.query_one("#empty", Static))
        assert "No hits" in text and "Bedoelde u: neutraliteit?" in text
        assert app.current is None
        app.filters["party"] = "JA21"
        await search(pilot, "zzzzqqq")
        assert "press x to drop them" in plain(app.query_one("#empty", Static))


@pytest.mark.asyncio
async def test_a_bad_query_is_an_inline_error_not_a_crash(real_index: Path) -> None:
    app = make_app(real_index)
    async with app.run_test(size=(120, 40)) as pilot:
        await search(pilot, "ambtenaren")
        # every prefix typed is a bad query too: a slow keystroke that lets the debounce fire
        # searches one, never an empty box (which would clear the hits)
        await search(pilot, '"uw Kamer')
        assert status(app).startswith("Query error:") and "quote" in status(app)
        assert app.query_one(SearchBar).has_class("-error")
        assert app.query_one(HitList).hits, "the previous hits stay"
        await search(pilot, "ambtenaren")
        assert not app.query_one(SearchBar).has_class("-error")


@pytest.mark.asyncio
async def test_without_an_index_the_app_says_how_to_build_it(tmp_path: Path) -> None:
    index = tmp_path / "nowhere"
    app = make_app(index, "ambtenaren")
    async with app.run_test(size=(120, 40)) as pilot:
        await answered(pilot)
        assert "No usable index" in status(app)
        assert f"kvsearch index --index {index}" in plain(app.query_one("#empty", Static))
    app = make_app(index)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert "No index yet" in status(app)
        assert f"kvsearch index --index {index}" in plain(app.query_one("#empty", Static))


@pytest.mark.asyncio
async def test_help_lists_the_keys_and_the_query_syntax(real_index: Path) -> None:
    app = make_app(real_index)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        markdown = app.screen.query_one("Markdown").source
        for text in (
            "partij:PVV",
            "vergaderjaar:2023-2024",
            "Passages in other documents",
            "Previous passage",
            "Copy a citation",
        ):
            assert text in markdown
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)
        app.query_one(HitList).focus()
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)


@pytest.mark.asyncio
async def test_actions_on_a_hit(real_index: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []
    monkeypatch.setattr("webbrowser.open", lambda url, *a, **k: opened.append(url) or True)
    app = make_app(real_index, "neutraliteit ambtenaren")
    async with app.run_test(size=(120, 40)) as pilot:
        await answered(pilot)
        app.query_one(HitList).focus()
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert {
            "Similar",
            "Open",
            "Cite",
            "Copy text",
            "JSON",
            "Document",
            "Next",
            "Help",
        } <= titles
        await pilot.press("c")
        assert app.clipboard == "Aanhangsel Handelingen II 2023/24, nr. 1064, antwoord op vraag 8"
        await pilot.press("y")
        assert app.clipboard.startswith("Aanhangsel") and "Vraag 8\nDeelt u de mening" in app.clipboard
        await pilot.press("o")
        await app.workers.wait_for_complete()
        assert opened == ["https://zoek.officielebekendmakingen.nl/ah-tk-20232024-1064.html"]
        await pilot.press("j")
        assert isinstance(app.screen, JsonScreen)
        assert '"passage_id": "ah-tk-20232024-1064#8"' in plain(app.screen.query_one(Static))
        await pilot.press("escape", "s")
        await answered(pilot)
        hits = app.query_one(HitList).hits
        assert hits and all(h.doc_id != "ah-tk-20232024-1064" for h in hits)
        assert "similar to ah-tk-20232024-1064#8" in status(app)
        await pilot.press("escape")
        await answered(pilot)
        assert app.current.passage_id == "ah-tk-20232024-1064#8"


def test_citations() -> None:
    from kvsearch import Hit

    def hit(kind: str, questions: tuple[int, ...], **meta: str) -> Hit:
        document = {"kind": kind, "number": "1064", "year": "2023-2024", **meta}
        return Hit("x#1", "x", questions, "q", "a", 1.0, document)

    assert citation(hit("antwoord", (6, 7))) == "Aanhangsel Handelingen II 2023/24, nr. 1064, antwoord op vragen 6 en 7"
    assert citation(hit("mededeling", ())) == "Aanhangsel Handelingen II 2023/24, nr. 1064, mededeling"
    assert citation(hit("vragen", (3,), reference="2024Z18792")) == "Kamervragen 2024Z18792, vraag 3"


@pytest.mark.asyncio
async def test_the_layout_stacks_question_and_answer_on_a_narrow_terminal(
    real_index: Path,
) -> None:
    for size, side_by_side in (((120, 40), True), ((80, 40), False)):
        app = make_app(real_index, "neutraliteit ambtenaren")
        async with app.run_test(size=size) as pilot:
            await answered(pilot)
            question = app.query_one("#passage .question").region
            answer = app.query_one("#passage .answer").region
            assert (answer.x > question.x and answer.y == question.y) is side_by_side
            assert app.query_one(FacetList).display is side_by_side


# --------------------------------------------------------------------------------------------
# untrusted document text


def test_highlighted_text_never_carries_escapes_or_markup() -> None:
    text = "a [bold]b[/bold] [link=https://evil.example]x[/link] \x1b]52;c;ZXZpbA==\x07 \x1b[2J \x9b1m"
    content = highlighted(text, [(2, 8)])
    assert "\x1b" not in content.plain and "\x07" not in content.plain and "\x9b" not in content.plain
    assert "[bold]b[/bold] [link=https://evil.example]x[/link]" in content.plain
    assert [str(span.style) for span in content.spans] == ["bold reverse"]


@pytest.mark.asyncio
async def test_a_hostile_document_shows_as_plain_text(evil_index: Path) -> None:
    app = make_app(evil_index, "kwaadaardige brief")
    async with app.run_test(size=(120, 40)) as pilot:
        await answered(pilot)
        text = shown(app)
        assert "[bold]vette[/bold] titels en [link=https://evil.example]klik[/link]" in text["meta"]
        assert "[bold]opmaak[/bold] en [link=https://evil.example]deze koppeling[/link]" in text["question"]
        assert "ook [/] en [bold." in text["answer"] and "]52;c;ZXZpbA==" in text["answer"]
        svg = app.export_screenshot()
        assert "[link=https://evil.example]" in svg.replace("&#160;", " ")
        for widget in app.query(Static):
            visual = widget.render()
            rendered = str(visual)
            assert "\x1b" not in rendered and "\x07" not in rendered
            for span in getattr(visual, "spans", []):
                assert "link" not in str(span.style) and "evil" not in str(span.style)
        assert "<a " not in svg and "\x1b" not in svg


@pytest.mark.asyncio
async def test_a_rebuilt_index_is_picked_up(evil_corpus: Path, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(evil_corpus, corpus)
    index = tmp_path / "index"
    assert run_cli("index", "--corpus", str(corpus), "--index", str(index)).returncode == 0
    app = make_app(index, "brief", watch_seconds=0.05)
    async with app.run_test(size=(120, 40)) as pilot:
        await answered(pilot)
        assert {h.doc_id for h in app.query_one(HitList).hits} == {"ah-tk-20232024-9999"}
        await app.workers.wait_for_complete()  # the warm-up, which freezes what it has loaded
        opened = _OPEN[str(index)].searchable
        readers = [leaf.reader() for leaf, _offset in opened.whoosh.leaf_searchers()]
        old_generation = [weakref.ref(part) for part in (opened, opened.whoosh, *readers)]
        del opened, readers
        (corpus / "ah-tk-20232024-9998.md").write_text(SECOND, encoding="utf-8")
        before = app.request
        assert run_cli("index", "--corpus", str(corpus), "--index", str(index)).returncode == 0
        await until(pilot, lambda: app.request > before and app.answered == app.request)
        assert {h.doc_id for h in app.query_one(HitList).hits} == {
            "ah-tk-20232024-9999",
            "ah-tk-20232024-9998",
        }
        # The warm-up froze what it had loaded (the garbage collector then skips it): the old
        # generation's index must still go when the new one is searched.
        gc.collect()
        assert all(part() is None for part in old_generation), "the old generation is still held"


# --------------------------------------------------------------------------------------------
# snapshots (regenerate with: pytest tests/test_tui.py --snapshot-update, and review the SVGs)


async def _ready(pilot: Pilot) -> None:
    await answered(pilot)
    app = pilot.app
    assert isinstance(app, KvsearchApp)
    hits = app.query_one(HitList)
    await until(pilot, lambda: app.current is hits.current)  # the passage shows the first hit
    # The list's height follows its rows, and a loaded machine can take the screenshot before
    # the layout that gives them room.
    await until(pilot, lambda: not hits.hits or hits.content_region.height > 0)
    pilot.app.query_one(SearchBar).cursor_blink = False
    await pilot.pause()


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
def test_snapshot_results(snap_compare: Callable[..., bool], test_index: Path, size: tuple[int, int]) -> None:
    async def in_the_list(pilot: Pilot) -> None:
        await _ready(pilot)
        await pilot.press("down")  # focus the results: the footer shows every key
        await footer_settled(pilot)

    assert snap_compare(make_app(test_index, "ambtenaren"), terminal_size=size, run_before=in_the_list)


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
def test_snapshot_help(snap_compare: Callable[..., bool], test_index: Path, size: tuple[int, int]) -> None:
    async def open_help(pilot: Pilot) -> None:
        await _ready(pilot)
        await pilot.press("f1")
        await until(pilot, lambda: isinstance(pilot.app.screen, HelpScreen))
        await footer_settled(pilot)

    assert snap_compare(make_app(test_index), terminal_size=size, run_before=open_help)


def test_the_tui_uses_only_the_public_api() -> None:
    import kvsearch.tui

    folder = Path(kvsearch.tui.__file__).parent
    for path in folder.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        for private in (
            "whoosh",
            "kvsearch.searcher.",
            "kvsearch.indexer.build",
            "kvsearch.engine.schema",
            "kvsearch.parsing.document",
            "kvsearch.ingest.sources",
            "typer",
        ):
            assert private not in source, f"{path.name} uses {private}"
        assert "markup=True" not in source, path.name
