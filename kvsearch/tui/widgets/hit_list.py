"""The results list: three lines per hit; moving the cursor shows that hit in the detail view."""

from __future__ import annotations

from textual import on
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from kvsearch import Hit
from kvsearch.tui.messages import HitHighlighted, ListEndReached
from kvsearch.tui.text import hit_row


class HitList(OptionList):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.hits: list[Hit] = []

    def show(self, hits: list[Hit], keep: str | None = None) -> None:
        """Replace the hits; the cursor goes to passage ``keep`` if present, and the list stays
        scrolled where it was (more hits of the same search); else to the first hit."""
        scrolled = self.scroll_y
        self.hits = list(hits)
        self.clear_options()
        rows: list[Option | None] = []
        for i, hit in enumerate(self.hits):
            rows.extend([None, Option(hit_row(hit), id=str(i))] if i else [Option(hit_row(hit), id=str(i))])
        self.add_options(rows)  # None: a separator line between hits
        if self.hits:
            ids = [hit.passage_id for hit in self.hits]
            self.highlighted = ids.index(keep) if keep in ids else 0
            if keep in ids:
                self.scroll_to(y=scrolled, animate=False, immediate=True)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        # The mouse wheel and the scrollbar move the list, not the cursor: reaching the list's
        # end asks for more hits, as the cursor does when it nears the last one.
        if self.hits and new_value > old_value and new_value >= self.max_scroll_y:
            self.post_message(ListEndReached())

    @property
    def current(self) -> Hit | None:
        index = self.highlighted
        return self.hits[index] if index is not None and 0 <= index < len(self.hits) else None

    @on(OptionList.OptionHighlighted)
    def _moved(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        hit = self.current
        if hit is not None:
            self.post_message(HitHighlighted(hit))
