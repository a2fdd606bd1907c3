"""Plain words are planned without Whoosh's query parser, into the very tree the parser makes.

The one-liner then neither imports the parser nor compiles its patterns. Compared here with
the parser itself on the test corpus's own words, in both groups (all words, any word), and
through the real CLI in a fresh process.
"""

from __future__ import annotations

import random
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from kvsearch.engine import queries, query_language
from kvsearch.searcher import open_searcher
from kvsearch.searcher.fields import FIELD_WEIGHTS, TEXT_FIELDS
from tests.conftest import TEST_CORPUS

TRICKY = [
    "belasting",
    "Belasting",
    "NGO-schepen",
    "zzp'ers",
    "ggz-instellingen",
    "2024",
    "COVID-19",
    "Oekraïense",
    "kinderen en jongeren",
    "wonen of werken",
    "niet zonder",
    "Den Haag",
    "de het een",
    "asielopvang",
    "t.a.v.",
    "en/of",
    "A&O",
    "1.000",
    "12,5",
]
#: Texts the parser must read: signs, quotes, operators, wildcards, boosts.
NOT_PLAIN = [
    "-belasting",
    "+belasting",
    '"van het"',
    "(zorg)",
    "zorg*",
    "zorg^2",
    "zorg AND wonen",
    "zorg OF wonen",
    "NIET zorg",
    "a_b",
]


def _shape(q: Any) -> tuple[Any, ...]:
    """Everything of a tree that ranking reads, children included (Whoosh's ``==`` ignores
    an Or's coordination bonus)."""
    children = tuple(_shape(sub) for sub in getattr(q, "subqueries", ()))
    return (
        type(q).__name__,
        getattr(q, "fieldname", None),
        getattr(q, "text", None),
        round(getattr(q, "boost", 1.0), 9),
        getattr(q, "scale", None),
        children,
    )


def _corpus_words(count: int) -> list[str]:
    texts = [path.read_text("utf-8") for path in sorted(TEST_CORPUS.rglob("*")) if path.suffix in (".md", ".txt")]
    words = sorted({word for text in texts for word in re.findall(r"\S+", text)})
    return random.Random(7).sample(words, count)


@pytest.mark.parametrize("any_word", [False, True])
def test_plain_words_make_the_parsers_tree(test_index: Path, any_word: bool) -> None:
    words = _corpus_words(400)
    texts = TRICKY + words + [" ".join(words[i : i + 3]) for i in range(0, 120, 3)]
    planned = 0
    kwargs: dict[str, Any] = {"fields": TEXT_FIELDS, "weights": FIELD_WEIGHTS, "any_word": any_word}
    with open_searcher(test_index) as (index, _info):
        for text in texts:
            plain = queries.plain_words_query(text, index, **kwargs)
            if plain is None:
                continue
            planned += 1
            assert _shape(plain) == _shape(query_language.parse(text, index, **kwargs)), text
        for text in NOT_PLAIN:
            assert queries.plain_words_query(text, index, **kwargs) is None
    # Most words of real text are plain: the path is taken, not only tested.
    print(f"{planned} of {len(texts)} texts planned without the parser")
    assert planned >= 0.8 * len(texts)


def test_a_one_liner_of_plain_words_does_not_import_the_parser(test_index: Path) -> None:
    probe = (
        "import sys\n"
        "from kvsearch.cli import main\n"
        f"sys.argv = ['kvsearch', {{text!r}}, '--index', {str(test_index)!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('whoosh.qparser' in sys.modules, file=sys.stderr)\n"
    )
    for text, imported in (("belasting", "False"), ('"van het"', "True")):
        command = [sys.executable, "-c", probe.format(text=text)]
        done = subprocess.run(command, capture_output=True, text=True, cwd=Path(__file__).parent.parent)
        assert done.stderr.strip().splitlines()[-1] == imported, (text, done.stderr)
