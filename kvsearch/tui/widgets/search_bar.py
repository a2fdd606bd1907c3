"""The search box: asks for a search ~150 ms after the last keystroke, at once on Enter."""

from __future__ import annotations

from textual import on
from textual.binding import Binding
from textual.timer import Timer
from textual.widgets import Input

from kvsearch.tui.messages import SearchRequested

DEBOUNCE_SECONDS = 0.15


class SearchBar(Input):
    BINDINGS = [
        Binding(
            "down",
            "app.focus_hits",
            "Results",
            id="search.results",
            tooltip="Move to the results list",
        ),
    ]

    def __init__(self, value: str = "", **kwargs: object) -> None:
        super().__init__(
            value=value,
            placeholder=(
                'Search Kamervragen…   e.g. neutraliteit ambtenaren  partij:SP  ministerie:VWS  "uw Kamer"   (F1: help)'
            ),
            **kwargs,  # type: ignore[arg-type]
        )
        self._pending: Timer | None = None

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        self._cancel()
        self._pending = self.set_timer(DEBOUNCE_SECONDS, lambda: self.post_message(SearchRequested(self.value)))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._cancel()
        self.post_message(SearchRequested(self.value, immediate=True))

    def _cancel(self) -> None:
        if self._pending is not None:
            self._pending.stop()
            self._pending = None
