"""The kvsearch terminal app: search box, facets, results and the passage beside them.

Searches run in a worker thread (``exclusive``: a newer query cancels the older one) and come
back as messages; a request number drops answers that arrive after a newer request. Every
few seconds the app looks at ``index/CURRENT``; when a rebuild publishes a new generation the
current search runs again (the API always opens the live generation).
"""

from __future__ import annotations

import gc
import os
import webbrowser
from collections.abc import Iterable
from pathlib import Path

from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static
from textual.worker import get_current_worker

import kvsearch
from kvsearch import Hit, KvsearchError, SearchResult
from kvsearch.errors import ExitCode, IndexMissingError, IndexVersionError
from kvsearch.follow.watches import name_for
from kvsearch.query import Filter, make_filter
from kvsearch.render import safe
from kvsearch.tui.messages import (
    DocumentLoaded,
    FacetToggled,
    HitHighlighted,
    HitsFound,
    ListEndReached,
    SearchFailed,
    SearchRequested,
)
from kvsearch.tui.screens.document import DocumentScreen
from kvsearch.tui.screens.json import JsonScreen
from kvsearch.tui.screens.save_watch import SavedWatch, SaveWatchScreen
from kvsearch.tui.text import citation, matched_words, official_url, passage_text, rehighlight, search_as_query
from kvsearch.tui.widgets.facets import FACETS, FacetList
from kvsearch.tui.widgets.hit_list import HitList
from kvsearch.tui.widgets.passage_view import PassageView
from kvsearch.tui.widgets.search_bar import SearchBar

#: Hits fetched at a time. The results list shows three to six at once; each hit fetched is
#: read, highlighted and drawn before any is shown, so a keystroke waits for every one.
LIMIT = 10
#: More hits are fetched when the cursor comes this close to the last one, so that moving
#: down the list seldom waits for them.
FETCH_AHEAD = 5
#: Passages like the selected one: one list, not fetched in pages.
SIMILAR_LIMIT = 25
WATCH_SECONDS = 2.0
FACET_LABELS = {kind: heading.lower() for kind, heading in FACETS.values()}
#: actions that need a selected hit (dimmed in the footer without one)
HIT_ACTIONS = {
    "previous_passage",
    "next_passage",
    "document",
    "similar",
    "open",
    "cite",
    "copy",
    "json",
    "question_answer",
}
#: actions bound to a letter: typed into the search box while it has the focus
LETTER_ACTIONS = HIT_ACTIONS | {"facets", "clear_filters", "save_watch"}


class KvsearchApp(App[None]):
    """``kvsearch tui [QUERY] [--index DIR]``; tests build it the same way."""

    TITLE = "kvsearch"
    CSS_PATH = "kvsearch.tcss"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (32, "-tall")]
    BINDINGS = [
        Binding(
            "ctrl+q,ctrl+c",
            "quit",
            "Quit",
            id="quit",
            tooltip="Leave kvsearch (also Ctrl+C)",
            priority=True,
            key_display="^q",
        ),
        Binding(
            "f1,question_mark",
            "help",
            "Help",
            id="help",
            tooltip="Keys and query syntax (also ? outside the search box)",
            key_display="F1",
        ),
        Binding(
            "slash,escape",
            "back",
            "Search",
            id="search",
            tooltip="Back to the search box",
            key_display="/",
        ),
        Binding(
            "f",
            "facets",
            "Filters",
            id="facets",
            tooltip="Show or hide the filters by party, ministry and year",
        ),
        Binding("x", "clear_filters", "Clear filters", id="clear_filters", tooltip="Drop all filters"),
        Binding(
            "p",
            "previous_passage",
            "Prev",
            id="previous_passage",
            tooltip="Previous passage of the same document",
        ),
        Binding(
            "n",
            "next_passage",
            "Next",
            id="next_passage",
            tooltip="Next passage of the same document",
        ),
        Binding("d", "document", "Document", id="document", tooltip="The whole document"),
        Binding(
            "a",
            "question_answer",
            "Question ⇄ answer",
            id="question_answer",
            tooltip="Jump from the question to its answer and back",
            show=False,
        ),
        Binding(
            "s",
            "similar",
            "Similar",
            id="similar",
            tooltip="Passages in other documents answering the same question",
        ),
        Binding("o", "open", "Open", id="open", tooltip="Open the official page in a browser"),
        Binding("c", "cite", "Cite", id="cite", tooltip="Copy a citation to the clipboard"),
        Binding("y", "copy", "Copy text", id="copy", tooltip="Copy the passage text to the clipboard"),
        Binding("j", "json", "JSON", id="json", tooltip="The hit as JSON"),
        Binding(
            "w",
            "save_watch",
            "Save as watch",
            id="save_watch",
            tooltip="Save this search as a watch: kvsearch watch report then tells what is new",
            show=False,
        ),
    ]

    def __init__(
        self,
        index_dir: Path | str = Path("index"),
        query: str = "",
        *,
        show_timing: bool = True,
        watch_seconds: float = WATCH_SECONDS,
    ) -> None:
        super().__init__()
        self.index_dir = Path(index_dir)
        self.initial_query = query
        self.show_timing = show_timing
        self.watch_seconds = watch_seconds
        self.filters: dict[str, str] = {}
        self.query_text = ""
        self.request = 0  # the latest search asked for
        self.answered = 0  # the latest search whose answer is shown (tests, benchmarks wait on it)
        self.similar_to: str | None = None
        self.current: Hit | None = None
        self.document: tuple[str, list[Hit]] | None = None
        self._index_state: tuple[int, str] | None = None
        self._pending_document: str | None = None
        self._reselect: str | None = None  # after an index update, keep the selected passage
        self.limit = LIMIT  # hits asked for: grows as the cursor nears the last one
        self._fetching_more = 0  # the request that fetches more hits of the same search
        self.total = 0  # hits the current search has in all

    # -- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield SearchBar(self.initial_query, id="search")
        yield Static(id="status")
        with Horizontal(id="main"):
            yield FacetList(id="facets")
            with Vertical(id="results"):
                yield HitList(id="hits")
                yield PassageView(id="passage")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#search", SearchBar).focus()
        self._index_state = self._read_index_state()
        self.set_interval(self.watch_seconds, self._check_index)
        self._search(self.initial_query)
        self.set_timer(0.3, self._warm_up)  # after the first frame: imports hold the GIL

    @work(thread=True, group="warm-up")
    def _warm_up(self) -> None:
        """Import the search side (Whoosh, the analyzer, and NumPy, on whose arrays a search
        in a long-running process scores its matches) and open the index with what its facet
        counts read, while the user starts typing."""
        kvsearch.search  # noqa: B018 - the lazy attribute imports the search module
        import numpy  # noqa: F401
        import numpy.ma  # noqa: F401  (numpy.unique imports it on its first call)

        try:
            kvsearch.prepare(self.index_dir)
        except Exception:  # nothing is lost: a search opens the index itself and says what is wrong
            pass
        # What is loaded by now (modules, widgets, the open index) lives as long as the app. A
        # full collection walks every object the collector tracks and holds the GIL meanwhile:
        # left out of it, a pause while typing stays short.
        gc.freeze()

    # -- searching ----------------------------------------------------------------------------

    @on(SearchRequested)
    def _requested(self, event: SearchRequested) -> None:
        if event.query != self.query_text or event.immediate or self.similar_to:
            self._search(event.query)

    def _search(self, text: str, *, more: bool = False) -> None:
        """Search ``text`` with the filters; ``more``: the same search, with more hits."""
        if not more:
            self.limit = LIMIT
        self.query_text = text
        self.similar_to = None
        self.request += 1
        if not text.strip() and not self.filters:
            self.workers.cancel_group(self, "search")
            self.answered = self.request
            self._show_start()
            return
        try:
            filters = {kind: make_filter(kind, value) for kind, value in self.filters.items()}
        except KvsearchError as error:  # a stored filter value the query language refuses
            self._failed(SearchFailed(self.request, str(error), "query"))
            return
        self._run_search(self.request, text, filters, self.limit)

    def _load_more(self) -> None:
        """The cursor is near the last hit, or the list is scrolled to its end, and there are
        more: fetch them. The cursor stays on the hit it is on when they arrive (it may have
        moved on meanwhile)."""
        idle = self.answered == self.request
        if self.similar_to is None and idle and self.total > self.limit and self.current:
            self.limit += LIMIT
            self._search(self.query_text, more=True)
            self._fetching_more = self.request

    @work(thread=True, exclusive=True, group="search")
    def _run_search(self, request: int, text: str, filters: dict[str, Filter], limit: int) -> None:
        worker = get_current_worker()
        try:
            result = kvsearch.search(
                text,
                index_dir=self.index_dir,
                limit=limit,
                filters=list(filters.values()),
                facets=True,
                fill=True,
            )
            if result.total:
                self._facets_without_own_filter(result, text, filters)
        except (IndexMissingError, IndexVersionError) as error:
            message: SearchFailed | HitsFound = SearchFailed(request, str(error), "index")
        except KvsearchError as error:
            message = SearchFailed(request, str(error), "query")
        except Exception as error:  # a bug must not take the terminal down with it
            message = SearchFailed(request, f"internal error: {type(error).__name__}: {error}", "error")
        else:
            message = HitsFound(request, result)
        if not worker.is_cancelled:
            self.post_message(message)

    def _facets_without_own_filter(self, result: SearchResult, text: str, filters: dict[str, Filter]) -> None:
        """Count a filtered facet as if its own filter were off, so its other values stay choosable."""
        for name, (kind, _) in FACETS.items():
            if kind in filters:
                others = [f for k, f in filters.items() if k != kind]
                try:
                    wider = kvsearch.search(text, index_dir=self.index_dir, limit=1, filters=others, facets=True)
                except KvsearchError:  # e.g. no words and no other filter left
                    continue
                result.facets[name] = wider.facets.get(name, {})

    @on(HitsFound)
    def _found(self, event: HitsFound) -> None:
        if event.request != self.request:
            return
        result = event.result
        self.total = result.total
        self.query_one("#search").remove_class("-error")
        hits = self.query_one("#hits", HitList)
        keep, self._reselect = self._reselect, None
        if event.request == self._fetching_more and self.current is not None:
            keep = self.current.passage_id
        hits.show(result.hits, keep=keep)
        self._status(self._summary(event))
        if not result.hits:
            self.current = None
            self.query_one("#passage", PassageView).message(self._no_hits(event))
            self.refresh_bindings()
        if event.similar_to is None:
            # The hits are what a keystroke waits for: the filter panel, with its many rows,
            # is drawn in the frame after theirs.
            self.call_after_refresh(self._show_facets, event.request, result.facets)
        else:
            self.answered = event.request

    def _show_facets(self, request: int, facets: dict[str, dict[str, int]]) -> None:
        if request == self.request:
            self.query_one("#facets", FacetList).show(facets, self.filters)
            self.answered = request

    def _summary(self, event: HitsFound) -> Content:
        result = event.result
        shown = f"{len(result.hits)} of {result.total}" if result.total > len(result.hits) else str(result.total)
        parts = [f"{shown} {'hit' if result.total == 1 else 'hits'}"]
        if event.similar_to:
            parts[0] = f"{shown} passages similar to {safe(event.similar_to)} (Esc: back to your search)"
        if self.show_timing:
            parts.append(f"{result.seconds * 1000:.0f} ms")
        if self.filters and not event.similar_to:
            parts.append(
                "filters: " + ", ".join(f"{FACET_LABELS[k]} {safe(v)}" for k, v in self.filters.items()) + " (x clears)"
            )
        if result.relaxed:
            parts.append("no passage has all the words; showing those with most of them")
        if result.close:
            parts.append(f"then {result.close} with most of the words")
        if result.notice:  # the index is damaged: an older generation is searched
            parts.append(safe(result.notice))
        return Content(" · ".join(parts))

    def _no_hits(self, event: HitsFound) -> Content:
        lines = [Content(f"No hits for {safe(event.result.query)!r}.").stylize("bold")]
        if event.result.suggestion:
            lines.append(Content(f"Bedoelde u: {safe(event.result.suggestion)}?"))
        if self.filters:
            lines.append(Content("Try without the filters: press x to drop them."))
        if not event.result.suggestion and not self.filters:
            lines.append(
                Content("Try fewer or other words, or a prefix such as ambtena*. Press ? for the query syntax.")
            )
        return Content("\n\n").join(lines)

    @on(SearchFailed)
    def _failed(self, event: SearchFailed) -> None:
        if event.request != self.request:
            return
        self.answered = event.request
        if event.kind == "query":
            self.query_one("#search").add_class("-error")
            self._status(Content.assemble(("Query error: ", "bold"), safe(event.message)), error=True)
            return
        self.query_one("#hits", HitList).show([])
        self.query_one("#facets", FacetList).show({}, self.filters)
        self.current = None
        self.refresh_bindings()
        if event.kind == "index":
            self._status(Content("No usable index"), error=True)
            self.query_one("#passage", PassageView).message(self._no_index(event.message))
        else:
            self._status(Content(safe(event.message)), error=True)

    def _no_index(self, message: str) -> Content:
        command = f"kvsearch index --index {self.index_dir}"
        if "rebuild it with:" in message:
            command = message.rsplit("rebuild it with:", 1)[1].strip()
            if "--index" not in command:
                command += f" --index {self.index_dir}"
        return Content("\n\n").join(
            [
                Content(safe(message)).stylize("bold"),
                Content("Build it, in another terminal, with:"),
                Content("    " + safe(command)).stylize("bold"),
                Content("This screen picks the index up as soon as it is published."),
            ]
        )

    def _show_start(self) -> None:
        self.query_one("#search").remove_class("-error")
        self.query_one("#hits", HitList).show([])
        self.query_one("#facets", FacetList).show({}, self.filters)
        self.current = None
        self.refresh_bindings()
        self._status(Content("Type to search; Enter searches at once; F1 (or ? outside the search box) for help."))
        self.query_one("#passage", PassageView).message(
            Content("Search the written questions of the Tweede Kamer and the government's answers.\n\n")
            + Content("Examples: ").stylize("bold")
            + Content('neutraliteit ambtenaren   "uw Kamer"   stikstof partij:VVD   ministerie:VWS jaar:2024')
        )
        self._check_index_exists()

    def _check_index_exists(self) -> None:
        if self._index_state is None:
            message = f"no index in {self.index_dir}; build it with: kvsearch index --index {self.index_dir}"
            self._status(Content("No index yet"), error=True)
            self.query_one("#passage", PassageView).message(self._no_index(message))

    def _status(self, text: Content, *, error: bool = False) -> None:
        status = self.query_one("#status", Static)
        status.set_class(error, "-error")
        status.update(text)

    # -- the index being rebuilt ----------------------------------------------------------------

    def _read_index_state(self) -> tuple[int, str] | None:
        try:
            current = self.index_dir / "CURRENT"
            return current.stat().st_mtime_ns, current.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None

    def _check_index(self) -> None:
        state = self._read_index_state()
        if state == self._index_state:
            return
        self._index_state = state
        if state is not None:
            self.notify("A new index was published; results refreshed.", title="Index updated", markup=False)
        self.document = None
        self._reselect = self.current.passage_id if self.current else None
        if self.similar_to is None:
            self._search(self.query_text)

    # -- the selected hit ---------------------------------------------------------------------

    @on(HitHighlighted)
    def _highlighted(self, event: HitHighlighted) -> None:
        self.current = event.hit
        self.query_one("#passage", PassageView).show(event.hit)
        self.refresh_bindings()
        hits = self.query_one("#hits", HitList).hits
        if any(hit is event.hit for hit in hits[-FETCH_AHEAD:]):
            self._load_more()

    @on(ListEndReached)
    def _end_reached(self) -> None:
        self._load_more()

    def on_descendant_focus(self) -> None:
        self.refresh_bindings()  # the footer shows letter keys only outside the search box

    @on(HitList.OptionSelected, "#hits")
    def _selected(self) -> None:
        self.query_one("#passage").focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in LETTER_ACTIONS and isinstance(self.focused, SearchBar):
            return False  # the letter goes into the search box: do not offer it in the footer
        return self._available(action, len(self.screen_stack) > 1)

    def _available(self, action: str, covered: bool) -> bool | None:
        """Whether ``action`` can run now (None: not without a hit or a filter); ``covered``:
        help, JSON or the whole document is open over the results."""
        if covered and action in HIT_ACTIONS - {"open", "cite", "copy"}:
            return False
        if action in HIT_ACTIONS and self.current is None:
            return None
        if action == "clear_filters" and not self.filters:
            return None
        if action == "save_watch":
            return False if covered else (True if search_as_query(self.query_text, self.filters) else None)
        return True

    @on(FacetToggled)
    def _facet(self, event: FacetToggled) -> None:
        if self.filters.get(event.kind) == event.value:
            del self.filters[event.kind]
        else:
            self.filters[event.kind] = event.value
        self.refresh_bindings()
        self._search(self.query_text)

    # -- actions ------------------------------------------------------------------------------

    def action_help(self) -> None:
        from kvsearch.tui.screens.help import HelpScreen  # Markdown is slow to import: not at start-up

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.binding_help()))

    def binding_help(self) -> list[tuple[str, str, str]]:
        rows = [
            (
                "↑ ↓",
                "Move through the results (or click); the selected hit is shown below them",
                "",
            ),
            ("Enter", "In the search box: search at once; in the results: read the passage", ""),
            ("Tab", "Next pane: search box, filters, results, passage", ""),
            ("^p", "Command palette: every action by name", ""),
        ]
        for binding in self.BINDINGS:
            assert isinstance(binding, Binding)
            keys = binding.key_display or binding.key.split(",")[0]
            if binding.action == "help":
                keys = "? / F1"
            elif binding.action == "back":
                keys = "/ or Esc"
            rows.append((keys, binding.description, binding.tooltip))
        return rows

    # Textual's own back action is a coroutine; it runs plain and async actions alike.
    def action_back(self) -> None:  # type: ignore[override]
        if self.similar_to is not None:
            self._search(self.query_text)
        self.query_one("#search").focus()

    def action_focus_hits(self) -> None:
        self.query_one("#hits").focus()

    def action_facets(self) -> None:
        facets = self.query_one("#facets", FacetList)
        if facets.display and facets.has_focus:
            facets.display = False  # an inline style: overrides the layout's default
            self.query_one("#hits").focus()
        else:
            facets.display = True
            facets.focus()

    def action_clear_filters(self) -> None:
        self.filters.clear()
        self.refresh_bindings()
        self._search(self.query_text)

    def action_previous_passage(self) -> None:
        self._step(-1)

    def action_next_passage(self) -> None:
        self._step(+1)

    def _step(self, offset: int) -> None:
        hit = self.current
        if hit is None:
            return
        if self.document is None or self.document[0] != hit.doc_id:
            self._pending_document = f"step:{offset}"
            self._load_document(hit.doc_id)
            return
        passages = self.document[1]
        ids = [h.passage_id for h in passages]
        if hit.passage_id not in ids:
            return
        position = ids.index(hit.passage_id) + offset
        if not 0 <= position < len(passages):
            self.notify(
                "No " + ("earlier" if offset < 0 else "later") + " passage in this document.",
                markup=False,
            )
            return
        self._show_passage(passages[position], hit)

    def _show_passage(self, target: Hit, reference: Hit) -> None:
        """Show another passage of the document, its words highlighted as in the selected hit."""
        listed = {h.passage_id: h for h in self.query_one("#hits", HitList).hits}
        if target.passage_id in listed:
            target = listed[target.passage_id]
            spans = None
        else:
            words = matched_words(reference)
            spans = {field: rehighlight(getattr(target, field), words) for field in ("question", "answer")}
        self.current = target
        self.query_one("#passage", PassageView).show(target, spans)

    def action_question_answer(self) -> None:
        if self.current is None:
            return
        if not self.current.answer:
            self.notify(f"{safe(self.current.doc_id)} has no answer yet.", severity="warning", markup=False)
            return
        self.query_one("#passage", PassageView).jump()

    def action_document(self) -> None:
        if self.current is None:
            return
        if self.document is None or self.document[0] != self.current.doc_id:
            self._pending_document = "show"
            self._load_document(self.current.doc_id)
            return
        self.push_screen(DocumentScreen(self.document[1], self.current.passage_id, matched_words(self.current)))

    @work(thread=True, exclusive=True, group="document")
    def _load_document(self, doc_id: str) -> None:
        try:
            hits = kvsearch.get_document(doc_id, index_dir=self.index_dir)
        except Exception as error:  # KvsearchError, or a bug: a message, never a crash
            self.call_from_thread(
                self.notify,
                safe(str(error)) or type(error).__name__,
                severity="error",
                markup=False,
            )
            return
        self.post_message(DocumentLoaded(doc_id, hits))

    @on(DocumentLoaded)
    def _document_loaded(self, event: DocumentLoaded) -> None:
        self.document = (event.doc_id, event.hits)
        pending, self._pending_document = self._pending_document, None
        if self.current is None or self.current.doc_id != event.doc_id:
            return
        if pending == "show":
            self.action_document()
        elif pending and pending.startswith("step:"):
            self._step(int(pending[5:]))

    def action_similar(self) -> None:
        if self.current is None:
            return
        self.request += 1
        self.similar_to = self.current.passage_id
        self._run_similar(self.request, self.current.passage_id)

    @work(thread=True, exclusive=True, group="search")
    def _run_similar(self, request: int, passage_id: str) -> None:
        worker = get_current_worker()
        try:
            message: HitsFound | SearchFailed = HitsFound(
                request,
                kvsearch.similar(index_dir=self.index_dir, passage_id=passage_id, limit=SIMILAR_LIMIT),
                passage_id,
            )
        except Exception as error:  # KvsearchError, or a bug: a message, never a crash
            message = SearchFailed(request, str(error) or type(error).__name__, "error")
        if not worker.is_cancelled:
            self.post_message(message)

    def action_open(self) -> None:
        url = official_url(self.current) if self.current else None
        if url is None:
            self.notify("This hit has no official page.", severity="warning", markup=False)
            return
        self._open_url(url)

    @work(thread=True, group="browser")
    def _open_url(self, url: str) -> None:
        try:
            opened = webbrowser.open(url)
        except webbrowser.Error:
            opened = False
        if opened:
            self.call_from_thread(self.notify, f"Opened {url}", markup=False)
        else:
            self.call_from_thread(self.copy_to_clipboard, url)
            self.call_from_thread(
                self.notify,
                f"No browser found; copied the address: {url}",
                severity="warning",
                markup=False,
            )

    def action_cite(self) -> None:
        if self.current:
            text = citation(self.current)
            self.copy_to_clipboard(text)
            self.notify(f"Copied: {text}", markup=False)

    def action_copy(self) -> None:
        if self.current:
            self.copy_to_clipboard(passage_text(self.current))
            self.notify(f"Copied the text of {self.current.passage_id}", markup=False)

    def action_json(self) -> None:
        if self.current:
            self.push_screen(JsonScreen(self.current))

    def action_save_watch(self) -> None:
        """Ask for a name and save the search as typed, with the panel's filters, as a watch."""
        query = search_as_query(self.query_text, self.filters)
        if query and not isinstance(self.screen, SaveWatchScreen):
            self.push_screen(SaveWatchScreen(query, self.index_dir, name_for(query)), self._watch_saved)

    def _watch_saved(self, saved: SavedWatch | None) -> None:
        if saved is None:
            return
        seen = f"{saved.matching} passages match now" if saved.indexed else "no index yet: its first report shows all"
        self.notify(
            f"{seen}; kvsearch watch report {saved.name} shows what is new from now on.",
            title=f"Saved watch {saved.name}",
            markup=False,
        )

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for binding in self.BINDINGS:
            assert isinstance(binding, Binding)
            if binding.action in ("quit", "help", "back"):
                continue
            # The palette is a screen of its own: judge the action by the screen beneath it.
            if self._available(binding.action, screen is not self.screen_stack[0]):
                yield SystemCommand(
                    binding.description,
                    binding.tooltip,
                    lambda action=binding.action: self.run_action(action),
                )
        yield SystemCommand("Help", "Keys and query syntax", self.action_help)


def run(index_dir: Path, query: str = "") -> int:
    """Run the app until the user leaves; the terminal is restored whatever happens."""
    app = KvsearchApp(index_dir=index_dir, query=query)
    app.run()
    return int(ExitCode.INTERNAL) if app.return_code else 0  # Textual has printed the bug


if __name__ == "__main__":  # pragma: no cover
    run(Path(os.environ.get("KVSEARCH_INDEX", "index")))
