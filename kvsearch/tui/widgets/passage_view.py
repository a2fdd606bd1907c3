"""One passage: its document's subject and people, the question beside the answer, footnotes."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Static

from kvsearch import Hit
from kvsearch.render import safe
from kvsearch.tui.text import citation, document_line, highlighted, safe_block, title


class PassageBody(Vertical):
    """A passage, laid out by the stylesheet: side by side when wide, stacked when narrow."""

    def __init__(
        self,
        hit: Hit | None = None,
        *,
        spans: dict[str, list[tuple[int, int]]] | None = None,
        **kwargs: object,
    ) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._hit = hit
        self._spans = spans

    def compose(self) -> ComposeResult:
        yield Static(classes="meta")
        with Horizontal(classes="qa"):
            with Vertical(classes="question"):
                yield Static(classes="label")
                yield Static(classes="text")
            with Vertical(classes="answer"):
                yield Static(classes="label")
                yield Static(classes="text")
        yield Static(classes="notes")

    @property
    def hit(self) -> Hit | None:
        return self._hit

    def on_mount(self) -> None:
        if self._hit is not None:
            self.show(self._hit, self._spans)

    def show(self, hit: Hit, spans: dict[str, list[tuple[int, int]]] | None = None) -> None:
        """Show ``hit``; ``spans`` replaces its highlights (for passages reached by previous/next)."""
        self._hit = hit
        spans = hit.highlights if spans is None else spans
        label = hit.label
        meta = [
            title(hit).stylize("bold"),
            Content(document_line(hit)).stylize("dim"),
            Content(citation(hit)).stylize("italic dim"),
        ]
        if hit.document.get("question_id"):
            meta.append(Content(f"Antwoord op de vragen {safe(hit.document['question_id'])}").stylize("dim"))
        self.query_one(".meta", Static).update(Content("\n").join(meta))
        question, answer = self.query_one(".question"), self.query_one(".answer")
        question.query_one(".label", Static).update(Content(f"Vraag {label}".strip()))
        answer.query_one(".label", Static).update(
            Content(
                "Mededeling"
                if hit.document.get("kind") == "mededeling" and not hit.questions
                else f"Antwoord {label}".strip()
            )
        )
        question.query_one(".text", Static).update(
            highlighted(hit.question, spans.get("question", [])) if hit.question else Content("—").stylize("dim")
        )
        answer.query_one(".text", Static).update(
            highlighted(hit.answer, spans.get("answer", []))
            if hit.answer
            else Content("(nog geen antwoord)").stylize("dim italic")
        )
        notes = self.query_one(".notes", Static)
        notes.display = bool(hit.notes)
        notes.update(Content("\n").join(Content(safe_block(note)) for note in hit.notes))


class PassageView(VerticalScroll):
    """The detail pane: a scrollable :class:`PassageBody`, or a message when there is nothing to show."""

    def compose(self) -> ComposeResult:
        yield Static(id="empty")
        yield PassageBody(id="body")

    def on_mount(self) -> None:
        self.query_one("#body").display = False

    def show(self, hit: Hit, spans: dict[str, list[tuple[int, int]]] | None = None) -> None:
        self.query_one("#empty").display = False
        body = self.query_one("#body", PassageBody)
        body.display = True
        body.show(hit, spans)
        self._mark(None)
        self.scroll_home(animate=False)

    @property
    def marked(self) -> str | None:
        """The side a jump went to last ("question" or "answer"), None since a passage was shown."""
        for side in ("question", "answer"):
            if self.query_one(f"#body .{side}").has_class("-marked"):
                return side
        return None

    def jump(self) -> str:
        """From the question to its answer, or back: the side scrolled to and marked."""
        side = "question" if self.marked == "answer" else "answer"
        self._mark(side)
        self.scroll_to_widget(self.query_one(f"#body .{side}"), top=True, animate=False)
        return side

    def _mark(self, side: str | None) -> None:
        for name in ("question", "answer"):
            self.query_one(f"#body .{name}").set_class(name == side, "-marked")

    def message(self, text: Content) -> None:
        """Show an explanation (no index yet, no hits …) instead of a passage."""
        self.query_one("#body").display = False
        empty = self.query_one("#empty", Static)
        empty.display = True
        empty.update(text)
