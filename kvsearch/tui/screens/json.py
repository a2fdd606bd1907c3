"""A hit as the JSON line ``kvsearch QUERY --json`` prints."""

from __future__ import annotations

import json

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from kvsearch import Hit
from kvsearch.tui.text import safe_block


class JsonScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,j", "dismiss", "Close", id="json.close", tooltip="Back to the results")]

    def __init__(self, hit: Hit) -> None:
        super().__init__()
        self._hit = hit

    def compose(self) -> ComposeResult:
        text = json.dumps(self._hit.to_json(), ensure_ascii=False, indent=2)
        with VerticalScroll(id="json"):
            yield Static(Content(safe_block(text)))
        yield Footer()
