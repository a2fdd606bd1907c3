"""The layering the design asks for, checked in fresh interpreters: parsing knows nothing of
Whoosh, the pure modules load no framework, and a one-liner does not pay for Textual."""

from __future__ import annotations

import subprocess
import sys

import pytest

PURE = [
    "kvsearch.models",
    "kvsearch.results",
    "kvsearch.ingest.safe_text",
    "kvsearch.errors",
    "kvsearch.ingest.sources",
    "kvsearch.parsing.document",
    "kvsearch.ingest.corpus",
    "kvsearch.indexer.records",
    "kvsearch.analysis",
    "kvsearch.analysis.vocabulary",
    "kvsearch.query",
    "kvsearch.render",
    "kvsearch",
]


def loaded_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print(' '.join(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(done.stdout.split())


@pytest.mark.parametrize("module", PURE)
def test_pure_modules_load_no_whoosh_textual_or_typer(module: str) -> None:
    loaded = loaded_after(f"import {module}")
    for framework in ("whoosh", "textual", "typer"):
        assert framework not in loaded, f"{module} imports {framework}"


def test_searching_from_the_cli_does_not_load_textual() -> None:
    loaded = loaded_after("import kvsearch.cli.app, kvsearch.searcher.core, kvsearch.indexer.build")
    assert "textual" not in loaded
    assert "whoosh" in loaded


def test_a_one_liner_search_loads_no_cli_framework(sample_index) -> None:
    """``kvsearch QUERY`` is the command run most: Typer, pydantic, Rich and Textual cost more
    to import than the search itself, so the one-liner path must not load them."""
    statement = (
        "from kvsearch.cli import main; import contextlib, io; "
        f"out = io.StringIO(); r = contextlib.redirect_stdout(out); r.__enter__(); "
        f"code = main(['neutraliteit', '--index', {str(sample_index)!r}]); r.__exit__(None, None, None); "
        "assert code == 0, code"
    )
    loaded = loaded_after(statement)
    assert "kvsearch.searcher.core" in loaded
    for framework in (
        "typer",
        "pydantic",
        "rich",
        "textual",
        "kvsearch.cli.app",
        "kvsearch.indexer.build",
        "kvsearch.parsing.document",
    ):
        assert framework not in loaded, f"the one-liner imports {framework}"
    # What Whoosh imports but never uses for us (kvsearch/engine/whoosh_import.py), and package metadata.
    for unused in (
        "asyncio",
        "urllib.request",
        "email",
        "cached_property",
        "whoosh.lang.morph_en",
        "importlib.metadata",
        "tempfile",
        "shutil",
        "random",
        "calendar",
        "queue",
        "html",
        "whoosh.lang.porter",
    ):
        assert unused not in loaded, f"the one-liner imports {unused}"
    # dataclasses pulls in inspect, ast and dis (results are NamedTuples); the file readers and
    # the "bedoelde u" matcher are not needed to print hits.
    for unused in ("dataclasses", "inspect", "kvsearch.models", "kvsearch.ingest.sources", "difflib"):
        assert unused not in loaded, f"the one-liner imports {unused}"


def test_whoosh_stand_ins_are_gone_after_import() -> None:
    """The stand-ins live only while Whoosh is imported: later imports get the real modules."""
    statement = (
        "import kvsearch.searcher.core, urllib.request, whoosh.compat, whoosh.lang.morph_en; "
        "assert hasattr(urllib.request, 'urlopen'); assert whoosh.lang.morph_en.variations('house'); "
        "from whoosh.query import Variations; from whoosh.reading import SegmentReader"
    )
    assert "urllib.request" in loaded_after(statement)


def test_what_whoosh_keeps_of_a_stand_in_still_works() -> None:
    """Whoosh keeps ``import tempfile`` and ``from shutil import copyfileobj`` from its import: each
    loads the real module when first used, and writing an index (which needs them) works."""
    statement = (
        "import kvsearch.searcher.core, sys; "
        "import whoosh.filedb.filestore as fs, whoosh.util.times as times, whoosh.filedb.filetables as tables; "
        "import whoosh.util, whoosh.compat, whoosh.analysis.morph as morph, whoosh.filedb.compound as compound; "
        "assert 'tempfile' not in sys.modules; "
        "assert fs.tempfile.gettempdir(); assert times.calendar.monthrange(2024, 2) == (3, 29); "
        "import hashlib; assert tables.md5_hash(b'abc') == int(hashlib.md5(b'abc').hexdigest(), 16) & 0xFFFFFFFF; "
        "assert len(whoosh.util.random_name()) == 28; assert whoosh.compat.htmlescape('<a>') == '&lt;a&gt;'; "
        "stemmed = morph.stem('running'); from whoosh.lang.porter import stem; assert stemmed == stem('running'); "
        "import io; out = io.BytesIO(); compound.copyfileobj(io.BytesIO(b'x'), out); "
        "assert out.getvalue() == b'x'; assert type(fs.tempfile).__name__ == '_StandIn'; "
        "import tempfile; assert tempfile is not fs.tempfile and hasattr(tempfile, 'mkdtemp')"
    )
    loaded = loaded_after(statement)
    assert {"tempfile", "calendar", "random", "html", "shutil", "whoosh.lang.porter"} <= loaded


@pytest.mark.parametrize(
    "module", ["kvsearch.cli", "kvsearch.cli.app", "kvsearch.cli.fast_path", "kvsearch.cli.output"]
)
def test_cli_uses_only_the_public_api(module: str) -> None:
    source = open(__import__(module, fromlist=["x"]).__file__, encoding="utf-8").read()
    for private in ("kvsearch.searcher.core", "kvsearch.indexer.build", "kvsearch.engine.schema", "import whoosh"):
        assert private not in source, private
