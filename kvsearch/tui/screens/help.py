"""The help screen (``?`` / F1): the keys, generated from the bindings, and the query language."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Markdown

QUERY_SYNTAX = """\
## Query language

All words must match (in the question, the answer or the subject), and a word also finds its
other forms (`ambtenaar` finds `ambtenaren`, `uitslag` finds `verkiezingsuitslag`).

| query | finds |
| --- | --- |
| `neutraliteit ambtenaren` | passages with both words |
| `"uw Kamer"` | the exact phrase |
| `stikstof OR waterstof` (also `OF`) | either word |
| `asiel NOT opvang`, `asiel -opvang` (also `NIET`) | without a word |
| `ambtena*` | words starting with `ambtena` (at least 3 letters) |
| `(jeugdzorg OR ggz) wachttijden` | grouping |
| `partij:PVV`, `partij:"Nieuw Sociaal Contract"` | asked by a member of that party |
| `indiener:Erkens`, `minister:Helder` | asked by that member, answered by that minister |
| `ministerie:VWS` | answered by or addressed to that ministry |
| `jaar:2024`, `vergaderjaar:2023-2024` | calendar year, parliamentary year |
| `datum:2024-01..2024-06` | date range (either end may be open) |
| `nr:1064`, `status:onbeantwoord`, `soort:mededeling` | one document; state of the questions |

A query of more than six words (a whole question pasted in) is read as natural
language: the passages with most of its words come first; quotes, operators and symbols
in it are plain text. The filter panel adds `partij:`,
`ministerie:` and `vergaderjaar:` filters to whatever you type.
"""


def keys_table(bindings: list[tuple[str, str, str]]) -> str:
    rows = "\n".join(f"| `{key}` | {tooltip or description} |" for key, description, tooltip in bindings)
    return "## Keys\n\n| key | does |\n| --- | --- |\n" + rows + "\n"


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding(
            "escape,q,question_mark,f1",
            "dismiss",
            "Close",
            id="help.close",
            tooltip="Close the help",
        )
    ]

    def __init__(self, bindings: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self._rows = bindings

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Markdown(keys_table(self._rows) + "\n" + QUERY_SYNTAX)
        yield Footer()
