"""Saving the search on screen as a watch (``w``, or "Save as watch" in the command palette),
driven with Textual's Pilot; what it saved is read back with the real CLI."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

from kvsearch.tui import KvsearchApp
from kvsearch.tui.screens.save_watch import SaveWatchScreen
from kvsearch.tui.widgets.facets import FacetList
from kvsearch.tui.widgets.hit_list import HitList
from tests.conftest import run_cli
from tests.test_tui import answered, footer_settled, make_app, until


@pytest.fixture
def watches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The watches file of this test (the shared test index stays without one)."""
    path = tmp_path / "watches.json"
    monkeypatch.setenv("KVSEARCH_WATCHES", str(path))
    return path


def listed(index: Path, watches: Path) -> list[dict]:
    done = run_cli("watch", "list", "--json", "--index", str(index), env={"KVSEARCH_WATCHES": str(watches)})
    assert done.returncode in (0, 1), done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def notices(app: KvsearchApp) -> list[str]:
    return [f"{note.title}: {note.message}" for note in app._notifications]


async def dialog(pilot: Pilot) -> SaveWatchScreen:
    app = pilot.app
    await pilot.press("w")
    await until(pilot, lambda: isinstance(app.screen, SaveWatchScreen))
    assert isinstance(app.screen, SaveWatchScreen)
    return app.screen


async def saved_or_refused(pilot: Pilot, screen: SaveWatchScreen) -> None:
    await pilot.press("enter")
    await until(pilot, lambda: not screen.saving)
    await pilot.pause()


@pytest.mark.asyncio
async def test_w_saves_the_search_and_its_filters_as_a_watch(test_index: Path, watches: Path) -> None:
    app = make_app(test_index, "ambtenaren")
    async with app.run_test(size=(120, 40)) as pilot:
        await answered(pilot)
        await pilot.press("down", "f")
        facets = app.query_one(FacetList)
        facets.highlighted = facets.get_option_index("party:JA21")
        await pilot.press("enter")
        await answered(pilot)
        assert app.filters == {"party": "JA21"}
        app.query_one(HitList).focus()

        screen = await dialog(pilot)
        name = screen.query_one("#save-watch-name", Input)
        assert name.value == "ambtenaren-partij-ja21" and name.has_focus
        assert "ambtenaren partij:JA21" in str(screen.query_one("#save-watch-query", Static).render())
        await saved_or_refused(pilot, screen)
        assert not isinstance(app.screen, SaveWatchScreen)
        assert f"Saved watch ambtenaren-partij-ja21: {app.total} passages match now;" in notices(app)[-1]

        # The same name again is refused in the dialog, which stays open for another name; the
        # letters typed go into the name, not to the keys of the results (x would drop the filter).
        screen = await dialog(pilot)
        await saved_or_refused(pilot, screen)
        assert app.screen is screen
        error = str(screen.query_one("#save-watch-error", Static).render())
        assert "a watch named 'ambtenaren-partij-ja21' exists" in error
        name = screen.query_one("#save-watch-name", Input)
        assert name.has_class("-error")
        name.value = ""
        await pilot.press(*"fx-2")
        assert name.value == "fx-2" and app.filters == {"party": "JA21"}
        await saved_or_refused(pilot, screen)
        assert not isinstance(app.screen, SaveWatchScreen)

    saved = listed(test_index, watches)
    assert [(w["name"], w["query"]) for w in saved] == [
        ("ambtenaren-partij-ja21", "ambtenaren partij:JA21"),
        ("fx-2", "ambtenaren partij:JA21"),
    ]
    assert saved[0]["matching"] == app.total > 0
    # Saved as `watch add` saves: what matches now is seen, so a report has nothing new.
    report = run_cli("watch", "report", "--index", str(test_index), env={"KVSEARCH_WATCHES": str(watches)})
    assert (report.returncode, report.stdout) == (1, "")


@pytest.mark.asyncio
async def test_escape_saves_nothing_and_without_a_search_nothing_is_offered(test_index: Path, watches: Path) -> None:
    app = make_app(test_index)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert "Save as watch" not in titles
        await app.run_action("save_watch")
        await pilot.pause()
        assert not isinstance(app.screen, SaveWatchScreen)

        app.query_one("#search", Input).value = "stikstof"
        await pilot.press("enter")
        await answered(pilot)
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert "Save as watch" in titles
        await pilot.press("f1")
        assert "| `w` | Save this search as a watch" in app.screen.query_one("Markdown").source
        await pilot.press("escape")
        app.query_one(HitList).focus()
        screen = await dialog(pilot)
        assert screen.query_one("#save-watch-name", Input).value == "stikstof"
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, SaveWatchScreen))
    assert not watches.exists()
    assert listed(test_index, watches) == []


@pytest.mark.asyncio
async def test_a_question_in_sentences_is_refused_in_the_dialog(test_index: Path, watches: Path) -> None:
    app = make_app(test_index, "wat vindt u van de neutraliteit van ambtenaren")
    async with app.run_test(size=(120, 40)) as pilot:
        await answered(pilot)
        app.query_one(HitList).focus()
        screen = await dialog(pilot)
        await saved_or_refused(pilot, screen)
        assert app.screen is screen
        assert "not a question in sentences" in str(screen.query_one("#save-watch-error", Static).render())
    assert not watches.exists()


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
def test_snapshot_save_watch(
    snap_compare: Callable[..., bool], test_index: Path, watches: Path, size: tuple[int, int]
) -> None:
    async def open_dialog(pilot: Pilot) -> None:
        await answered(pilot)
        pilot.app.query_one(HitList).focus()
        await pilot.press("w")
        await until(pilot, lambda: isinstance(pilot.app.screen, SaveWatchScreen))
        pilot.app.screen.query_one(Input).cursor_blink = False
        await footer_settled(pilot)

    assert snap_compare(make_app(test_index, "neutraliteit ambtenaren"), terminal_size=size, run_before=open_dialog)


def test_the_search_on_screen_becomes_one_query_and_a_name() -> None:
    from kvsearch.follow.watches import check_name, name_for
    from kvsearch.query import parse_query
    from kvsearch.tui.text import search_as_query

    query = search_as_query(
        "  jeugdzorg   wachttijden ", {"party": "GL-PvdA", "ministry": 'Volksgezondheid, "Welzijn" en Sport'}
    )
    assert query == 'jeugdzorg wachttijden partij:GL-PvdA ministerie:"Volksgezondheid, Welzijn en Sport"'
    parsed = parse_query(query)
    assert parsed.text == "jeugdzorg wachttijden"
    assert [f.kind for f in parsed.filters] == ["party", "ministry"]
    assert search_as_query("", {"session": "2023-2024"}) == "vergaderjaar:2023-2024"
    assert search_as_query(" ", {}) == ""
    for text, name in (
        (query, "jeugdzorg-wachttijden-partij-gl-pvda-ministerie-volksgezondheid"),  # 64 at most
        ('"Caribisch Nederland" één', "caribisch-nederland-een"),
        ("ambtena*", "ambtena"),
        ("«»", "watch"),
        ("a" * 100, "a" * 64),
    ):
        assert name_for(text) == name and check_name(name) == name
