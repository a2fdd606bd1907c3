"""Facet filters: counts of the current hits by party, ministry and parliamentary year."""

from __future__ import annotations

from textual import on
from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from kvsearch.render import safe
from kvsearch.tui.messages import FacetToggled

#: facet name in SearchResult.facets -> (filter kind, heading)
FACETS = {
    "party": ("party", "Partij"),
    "ministry": ("ministry", "Ministerie"),
    "year": ("session", "Vergaderjaar"),
}


class FacetList(OptionList):
    """One list with a heading per facet; choosing a value toggles that filter."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.choices: dict[str, tuple[str, str]] = {}

    def show(self, facets: dict[str, dict[str, int]], active: dict[str, str]) -> None:
        keep = self.highlighted_option.id if self.highlighted_option is not None else None
        self.choices = {}
        options: list[Option | None] = []
        for name, (kind, heading) in FACETS.items():
            counts = dict(facets.get(name) or {})
            if kind in active and active[kind] not in counts:
                counts = {active[kind]: 0, **counts}
            if not counts:
                continue
            options.append(Option(Content(heading).stylize("bold"), disabled=True))
            for value, count in counts.items():
                option_id = f"{kind}:{value}"
                self.choices[option_id] = (kind, value)
                mark = "● " if active.get(kind) == value else "  "
                options.append(Option(Content.assemble(mark, (f"{count:>4} ", "dim"), safe(value)), id=option_id))
        self.clear_options()
        self.add_options(options)
        if keep in self.choices:
            self.highlighted = self.get_option_index(keep)

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id in self.choices:
            self.post_message(FacetToggled(*self.choices[event.option.id]))
