"""The results list: three lines per hit; moving the cursor shows that hit in the detail view."""

from __future__ import annotations

from textual import on
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from kvsearch import Hit
from kvsearch.tui.messages import HitHighlighted
from kvsearch.tui.text import hit_row


class HitList(OptionList):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.hits: list[Hit] = []

    def show(self, hits: list[Hit], keep: str | None = None) -> None:
        """Replace the hits; the cursor goes to passage ``keep`` if present, else the first hit."""
        self.hits = list(hits)
        self.clear_options()
        rows: list[Option | None] = []
        for i, hit in enumerate(self.hits):
            rows.extend([None, Option(hit_row(hit), id=str(i))] if i else [Option(hit_row(hit), id=str(i))])
        self.add_options(rows)  # None: a separator line between hits
        if self.hits:
            ids = [hit.passage_id for hit in self.hits]
            self.highlighted = ids.index(keep) if keep in ids else 0

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
