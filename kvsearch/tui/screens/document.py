"""The whole document a hit comes from, every passage in order, scrolled to the hit."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer

from kvsearch import Hit
from kvsearch.render import safe
from kvsearch.tui.text import rehighlight
from kvsearch.tui.widgets.passage_view import PassageBody


class DocumentScreen(Screen[None]):
    BINDINGS = [
        Binding("escape,q,d", "dismiss", "Close", id="document.close", tooltip="Back to the results"),
        Binding(
            "a",
            "question_answer",
            "Question ⇄ answer",
            id="document.question_answer",
            tooltip="Jump from the question to its answer and back",
        ),
    ]

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

    @property
    def marked(self) -> str | None:
        """The side of the current passage a jump went to last ("question" or "answer")."""
        body = self._current_body()
        for side in ("question", "answer"):
            if body is not None and body.query_one(f".{side}").has_class("-marked"):
                return side
        return None

    def action_question_answer(self) -> None:
        """From the current passage's question to its answer and back, as in the results."""
        body = self._current_body()
        if body is None or body.hit is None:
            return
        if not body.hit.answer:
            self.notify(f"{safe(body.hit.doc_id)} has no answer yet.", severity="warning", markup=False)
            return
        side = "question" if self.marked == "answer" else "answer"
        for name in ("question", "answer"):
            body.query_one(f".{name}").set_class(name == side, "-marked")
        self.query_one("#document", VerticalScroll).scroll_to_widget(
            body.query_one(f".{side}"), top=True, animate=False
        )

    def _current_body(self) -> PassageBody | None:
        bodies = list(self.query(PassageBody))
        return next((body for body in bodies if body.has_class("current")), bodies[0] if bodies else None)

    def on_mount(self) -> None:
        for body in self.query(".current"):
            self.call_after_refresh(
                self.query_one("#document", VerticalScroll).scroll_to_widget,
                body,
                top=True,
                animate=False,
            )
