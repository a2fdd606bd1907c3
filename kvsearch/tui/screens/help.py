"""The help screen (``?`` / F1): the keys, generated from the bindings, and the query language."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Markdown

QUERY_SYNTAX = """\
## Zoektaal

Alle woorden moeten voorkomen (in vraag, antwoord of onderwerp); een woord vindt ook zijn
andere vormen (`ambtenaar` vindt `ambtenaren`).

| zoekvraag | vindt |
| --- | --- |
| `neutraliteit ambtenaren` | passages met beide woorden |
| `"uw Kamer"` | de exacte woordgroep |
| `stikstof OR waterstof` (ook `OF`) | een van beide |
| `asiel NOT opvang`, `asiel -opvang` | zonder een woord |
| `ambtena*` | woorden die zo beginnen (minstens 3 letters) |
| `(jeugdzorg OR ggz) wachttijden` | groeperen |
| `partij:PVV`, `partij:"Nieuw Sociaal Contract"` | vragen van een lid van die partij |
| `indiener:Erkens`, `minister:Helder` | vragensteller, beantwoordende bewindspersoon |
| `ministerie:VWS` | beantwoord door of gericht aan dat ministerie |
| `jaar:2024`, `vergaderjaar:2023-2024` | kalenderjaar, vergaderjaar |
| `datum:2024-01..2024-06` | periode (een kant mag open blijven) |
| `nr:1064`, `status:onbeantwoord`, `soort:mededeling` | één document, stand van de vragen |

Een lange vraag zonder operatoren (meer dan zes woorden) wordt als gewone taal gelezen: de
passages met de meeste woorden komen eerst.
"""


def keys_table(bindings: list[tuple[str, str, str]]) -> str:
    rows = "\n".join(f"| `{key}` | {tooltip or description} |" for key, description, tooltip in bindings)
    return "## Toetsen\n\n| toets | actie |\n| --- | --- |\n" + rows + "\n"


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark,f1", "dismiss", "Close", id="help.close", tooltip="Close the help")]

    def __init__(self, bindings: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self._rows = bindings

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Markdown("# kvsearch\n\n" + keys_table(self._rows) + "\n" + QUERY_SYNTAX)
        yield Footer()
