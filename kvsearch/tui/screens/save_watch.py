"""Save the search on screen as a watch (``w``): asks for a name, then adds it as
``kvsearch watch add NAME QUERY`` does, so ``kvsearch watch report`` tells what is new."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Static

import kvsearch
from kvsearch import KvsearchError
from kvsearch.render import safe

#: The characters a watch name may have (it also names the watch's Atom file).
NAME_CHARACTERS = r"[A-Za-z0-9_.-]*"
NAME_LENGTH = 64


class SavedWatch(NamedTuple):
    """What the dialog gives back when the watch was saved."""

    name: str
    matching: int  # passages the search matches now: they count as seen
    indexed: bool  # False: no index yet, the first report shows every match


@dataclass
class _Answer(Message):
    """The save, done in a worker thread, came back: saved, or refused with ``error``."""

    saved: SavedWatch | None
    error: str = ""


class SaveWatchScreen(ModalScreen[SavedWatch | None]):
    """A name for the watch, prefilled from the query; Enter saves, Esc cancels. A refused
    name (taken, or not a name) is said in the dialog, which stays open to change it."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="save_watch.cancel", tooltip="Close without saving")]

    def __init__(self, query: str, index_dir: Path, name: str) -> None:
        super().__init__()
        self.search_query = query
        self.index_dir = index_dir
        self._name = name
        self.saving = False

    def compose(self) -> ComposeResult:
        with Vertical(id="save-watch"):
            yield Static(Content("Save this search as a watch").stylize("bold"), id="save-watch-title")
            yield Static(Content.assemble(("Query  ", "bold"), safe(self.search_query)), id="save-watch-query")
            yield Input(
                value=self._name,
                placeholder="a name: letters, digits, '-', '_', '.'",
                restrict=NAME_CHARACTERS,
                max_length=NAME_LENGTH,
                id="save-watch-name",
            )
            yield Static(id="save-watch-error")
            yield Static(
                Content("Enter saves it; from then on “kvsearch watch report NAME” shows what is new. Esc cancels."),
                id="save-watch-hint",
            )
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#save-watch-error").display = False
        self.query_one("#save-watch-name", Input).focus()

    @on(Input.Submitted, "#save-watch-name")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.saving:
            return
        self.saving = True
        self.query_one("#save-watch-hint", Static).update(Content("Saving…"))
        self._save(event.value.strip())

    @work(thread=True, exclusive=True, group="save-watch")
    def _save(self, name: str) -> None:
        """Add the watch (its search runs over the whole index: not on the screen's thread)."""
        try:
            watch, indexed = kvsearch.add_watch(name, self.search_query, index_dir=self.index_dir)
        except KvsearchError as error:
            self.post_message(_Answer(None, str(error)))
        except Exception as error:  # a bug: said in the dialog, never a crash
            self.post_message(_Answer(None, f"internal error: {type(error).__name__}: {error}"))
        else:
            self.post_message(_Answer(SavedWatch(watch.name, len(watch.seen), indexed)))

    @on(_Answer)
    def _answered(self, answer: _Answer) -> None:
        self.saving = False
        if answer.saved is not None:
            self.dismiss(answer.saved)
            return
        error = self.query_one("#save-watch-error", Static)
        error.update(Content(safe(answer.error)))
        error.display = True
        self.query_one("#save-watch-hint", Static).update(Content("Change the name and press Enter, or Esc."))
        self.query_one("#save-watch-name", Input).add_class("-error")

    def action_cancel(self) -> None:
        self.dismiss(None)
