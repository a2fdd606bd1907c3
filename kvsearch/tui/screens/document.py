"""The whole document a hit comes from, every passage in order, scrolled to the hit."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer

from kvsearch import Hit
from kvsearch.tui.text import rehighlight
from kvsearch.tui.widgets.passage_view import PassageBody


class DocumentScreen(Screen[None]):
    BINDINGS = [Binding("escape,q,d", "dismiss", "Close", id="document.close", tooltip="Back to the results")]

    def __init__(self, hits: list[Hit], current: str, words: set[str]) -> None:
        super().__init__()
        self._hits = hits
        self._current = current
        self._words = words

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="document"):
            for hit in self._hits:
                spans = {field: rehighlight(getattr(hit, field), self._words) for field in ("question", "answer")}
                body = PassageBody(hit, spans=spans, classes="current" if hit.passage_id == self._current else "")
                yield body
        yield Footer()

    def on_mount(self) -> None:
        for body in self.query(".current"):
            self.call_after_refresh(
                self.query_one("#document", VerticalScroll).scroll_to_widget,
                body,
                top=True,
                animate=False,
            )
