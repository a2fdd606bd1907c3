"""The TUI on small terminals and long result lists, driven with Textual's Pilot: the passage
keeps room on 80×24, more hits load as the cursor nears the last one or the list is scrolled to
its end, the footer offers only keys that work where the focus is, and the command palette has
every action."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Static
from textual.widgets._footer import FooterKey

import kvsearch
from kvsearch.tui import KvsearchApp
from kvsearch.tui.app import FETCH_AHEAD, LIMIT
from kvsearch.tui.widgets.hit_list import HitList
from kvsearch.tui.widgets.passage_view import PassageBody, PassageView
from kvsearch.tui.widgets.search_bar import SearchBar
from tests.test_tui import make_app, until


def answered(app: KvsearchApp) -> bool:
    return bool(app.answered) and app.answered == app.request


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (90, 30)])
async def test_a_small_terminal_shows_the_question_and_the_footer(real_index: Path, size: tuple[int, int]) -> None:
    app = make_app(real_index, "zorg")
    async with app.run_test(size=size) as pilot:
        await until(pilot, lambda: answered(app) and app.current is not None)
        passage = app.query_one("#passage", PassageView)
        question = passage.query_one(PassageBody).query_one(".question .text", Static)
        visible = passage.region.bottom - 1 - question.region.y  # rows of question text on screen
        assert visible >= 5, f"only {visible} rows of the question at {size}"
        footer = app.screen.query_one("Footer")
        assert footer.region.bottom == size[1], "the footer is cut off"


@pytest.mark.asyncio
async def test_more_hits_load_when_the_cursor_reaches_the_last(real_index: Path) -> None:
    app = make_app(real_index, "zorg")
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: answered(app))
        hits = app.query_one(HitList)
        assert len(hits.hits) == LIMIT and app.total > LIMIT
        await pilot.press("down", "end")
        await until(pilot, lambda: answered(app) and len(hits.hits) > LIMIT)
        assert len(hits.hits) == min(2 * LIMIT, app.total)
        assert hits.current is not None and hits.current.passage_id == hits.hits[LIMIT - 1].passage_id
        shown = f"{len(hits.hits)} of {app.total}" if app.total > len(hits.hits) else f"{app.total} hits"
        assert str(app.query_one("#status", Static).render()).startswith(shown)
        ids = [hit.passage_id for hit in hits.hits]
        assert len(set(ids)) == len(ids)


@pytest.mark.asyncio
async def test_more_hits_load_ahead_and_the_cursor_stays_where_it_moved(
    real_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """More hits are fetched when the cursor comes FETCH_AHEAD hits from the last, not at the
    last; when they arrive, the cursor is on the hit it moved to while they were fetched."""
    arrived = threading.Event()
    search = kvsearch.search

    def held_back(*args: Any, **kwargs: Any) -> Any:
        if kwargs.get("limit", 0) > LIMIT:
            assert arrived.wait(10)
        return search(*args, **kwargs)

    monkeypatch.setattr(kvsearch, "search", held_back)
    app = make_app(real_index, "zorg")
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: answered(app))
        hits = app.query_one(HitList)
        assert len(hits.hits) == LIMIT and app.total > 2 * LIMIT
        first_request = app.request
        await pilot.press("down", *["down"] * (LIMIT - FETCH_AHEAD - 1))  # into the list, then down
        assert app.current is hits.hits[LIMIT - FETCH_AHEAD - 1] and app.request == first_request
        await pilot.press("down")
        assert app.request == first_request + 1 and app.limit == 2 * LIMIT
        await pilot.press("down")  # on, while the hits are fetched
        wanted = hits.hits[LIMIT - FETCH_AHEAD + 1].passage_id
        arrived.set()
        await until(pilot, lambda: answered(app) and len(hits.hits) == 2 * LIMIT)
        assert hits.current is not None and hits.current.passage_id == wanted
        assert app.current is not None and app.current.passage_id == wanted


@pytest.mark.asyncio
async def test_more_hits_load_when_the_list_is_scrolled_to_its_end(real_index: Path) -> None:
    """Scrolled to its end as by the mouse wheel, the cursor left on the first hit, the list
    fetches more hits and stays scrolled where it was."""
    app = make_app(real_index, "zorg")
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: answered(app))
        hits = app.query_one(HitList)
        assert len(hits.hits) == LIMIT and app.total > LIMIT
        first = hits.hits[0]
        hits.scroll_end(animate=False, immediate=True)
        await until(pilot, lambda: answered(app) and len(hits.hits) > LIMIT)
        assert len(hits.hits) == min(2 * LIMIT, app.total)
        assert app.current is not None and app.current.passage_id == first.passage_id
        assert hits.scroll_y > 0, "the list went back to its top"


@pytest.mark.asyncio
async def test_the_footer_offers_only_keys_that_work_in_the_search_box(real_index: Path) -> None:
    app = make_app(real_index, "zorg")
    async with app.run_test(size=(160, 40)) as pilot:
        await until(pilot, lambda: answered(app) and app.current is not None)
        await pilot.press("down")
        await until(pilot, lambda: isinstance(app.focused, HitList))
        in_results = {key.key_display for key in app.screen.query(FooterKey)}
        assert {"x", "d", "s", "j"} & in_results or {"d", "s", "j"} <= in_results
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.focused, SearchBar))
        await pilot.pause(0.1)
        in_box = {key.key_display for key in app.screen.query(FooterKey)}
        assert not in_box & {"?", "x", "f", "d", "s", "j", "n", "p", "c", "y", "o"}, in_box
        assert "F1" in in_box
        await pilot.press("f1")
        await until(pilot, lambda: type(app.screen).__name__ == "HelpScreen")


@pytest.mark.asyncio
async def test_the_command_palette_has_every_action_on_a_hit(real_index: Path) -> None:
    app = make_app(real_index, "zorg")
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: answered(app) and app.current is not None)
        await pilot.press("ctrl+p")
        await until(pilot, lambda: type(app.screen).__name__ == "CommandPalette")
        titles = {command.title for command in app.get_system_commands(app.screen_stack[0])}
        assert {"Similar", "Document", "Next", "Prev", "JSON", "Cite", "Copy text", "Open"} <= titles, titles
