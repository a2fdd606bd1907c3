"""The layering the design asks for: only ``kvsearch.engine`` touches Whoosh, parsing and analysis
know nothing of it, the pure modules load no framework in a fresh interpreter, the CLI and TUI use
the public API, and a one-liner does not pay for Textual."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import kvsearch

PACKAGE = Path(kvsearch.__file__).parent

#: Every module of these packages must load without Whoosh, Textual or Typer: they turn files into
#: documents and text into terms, and a test, a script or the TUI may need them without an index.
PURE_PACKAGES = ("kvsearch.ingest", "kvsearch.parsing", "kvsearch.analysis")
PURE_MODULES = [
    "kvsearch.models",
    "kvsearch.results",
    "kvsearch.errors",
    "kvsearch.indexer.records",
    "kvsearch.indexer.passages",
    "kvsearch.indexer.report",
    "kvsearch.indexer.faults",
    "kvsearch.query",
    "kvsearch.render",
    "kvsearch",
]

#: Modules outside ``kvsearch.engine`` that may import Whoosh: none (the indexer and the storage
#: reach Whoosh's files through ``kvsearch.engine.index_files`` and ``kvsearch.engine.version``).
WHOOSH_OUTSIDE_ENGINE: set[str] = set()

#: What the CLI and the TUI must not import: they go through the public API (``kvsearch``), so
#: the searcher, the indexer and the storage behind it can change without them.
BEHIND_THE_API = ("whoosh", "kvsearch.searcher", "kvsearch.indexer", "kvsearch.engine", "kvsearch.storage")


def modules_under(package: str) -> list[str]:
    found = importlib.import_module(package)
    return [info.name for info in pkgutil.walk_packages(found.__path__, prefix=f"{package}.")]


PURE = PURE_MODULES + [name for package in PURE_PACKAGES for name in [package, *modules_under(package)]]


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports, at any depth of its code (lazy imports included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def imports_of(package: str) -> dict[str, set[str]]:
    folder = PACKAGE.joinpath(*package.split(".")[1:])
    return {module_name(path): imported_modules(path) for path in sorted(folder.rglob("*.py"))}


def is_within(module: str, package: str) -> bool:
    return module == package or module.startswith(f"{package}.")


def test_only_the_engine_imports_whoosh() -> None:
    importers = {
        module
        for module, imported in imports_of("kvsearch").items()
        if any(is_within(name, "whoosh") for name in imported)
    }
    outside = {module for module in importers if not is_within(module, "kvsearch.engine")}
    assert outside <= WHOOSH_OUTSIDE_ENGINE, sorted(outside - WHOOSH_OUTSIDE_ENGINE)
    assert "kvsearch.engine.reader" in importers  # the walk sees the engine's imports


@pytest.mark.parametrize("package", ["kvsearch.cli", "kvsearch.tui"])
def test_cli_and_tui_use_only_the_public_api(package: str) -> None:
    for module, imported in imports_of(package).items():
        for name in imported:
            for private in BEHIND_THE_API:
                assert not is_within(name, private), f"{module} imports {name}"


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
    loaded = loaded_after("import kvsearch.cli.app, kvsearch.searcher, kvsearch.indexer.build")
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
    assert "kvsearch.searcher.run" in loaded
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
        "hashlib",
        "_hashlib",
        "whoosh.automata.lev",
        "whoosh.support.levenshtein",
        "whoosh.lang.dmetaphone",
        "textwrap",
        "decimal",
        "whoosh.qparser",
    ):
        assert unused not in loaded, f"the one-liner imports {unused}"
    # dataclasses pulls in inspect, ast and dis (results are NamedTuples); the file readers and
    # the "bedoelde u" matcher are not needed to print hits.
    for unused in ("dataclasses", "inspect", "kvsearch.models", "kvsearch.ingest.sources", "difflib"):
        assert unused not in loaded, f"the one-liner imports {unused}"
    # Only a pasted question's passages are re-ordered between and within documents.
    for unused in (
        "kvsearch.searcher.between_documents",
        "kvsearch.searcher.within_document",
        "kvsearch.analysis.abbreviations",
    ):
        assert unused not in loaded, f"a one-word one-liner imports {unused}"


def test_a_one_liners_named_tuples_are_made_without_string_annotations(sample_index) -> None:
    """typing.NamedTuple compiles each annotation written as a string (``from __future__ import
    annotations``) when the class is made: the records a one-line search loads use real ones."""
    statement = (
        "from kvsearch.cli import main; import contextlib, io, typing; "
        "r = contextlib.redirect_stdout(io.StringIO()); r.__enter__(); "
        f"main(['neutraliteit', '--index', {str(sample_index)!r}]); r.__exit__(None, None, None); "
        "tuples = [(m.__name__, c.__name__, a) for m in list(sys.modules.values()) "
        "if (m.__name__ or '').startswith('kvsearch') for c in vars(m).values() "
        "if isinstance(c, type) and issubclass(c, tuple) and hasattr(c, '_fields') and c.__module__ == m.__name__ "
        "for a, v in c.__annotations__.items() if isinstance(v, (str, typing.ForwardRef))]; "
        "print(tuples, file=sys.stderr)"
    )
    code = f"import sys; {statement}"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stderr.strip() == "[]", done.stderr


def test_whoosh_stand_ins_are_gone_after_import() -> None:
    """The stand-ins live only while Whoosh is imported: later imports get the real modules."""
    statement = (
        "import kvsearch.searcher, urllib.request, whoosh.compat, whoosh.lang.morph_en; "
        "assert hasattr(urllib.request, 'urlopen'); assert whoosh.lang.morph_en.variations('house'); "
        "from whoosh.query import Variations; from whoosh.reading import SegmentReader"
    )
    assert "urllib.request" in loaded_after(statement)


def test_what_whoosh_keeps_of_a_stand_in_still_works() -> None:
    """Whoosh keeps ``import tempfile`` and ``from shutil import copyfileobj`` from its import: each
    loads the real module when first used, and writing an index (which needs them) works."""
    statement = (
        "import kvsearch.searcher, sys; "
        "import whoosh.filedb.filestore as fs, whoosh.util.times as times, whoosh.filedb.filetables as tables; "
        "import whoosh.util, whoosh.compat, whoosh.analysis.morph as morph, whoosh.filedb.compound as compound; "
        "assert 'tempfile' not in sys.modules; "
        "assert fs.tempfile.gettempdir(); assert times.calendar.monthrange(2024, 2) == (3, 29); "
        "import hashlib; assert tables.md5_hash(b'abc') == int(hashlib.md5(b'abc').hexdigest(), 16) & 0xFFFFFFFF; "
        "import whoosh.reading as reading, whoosh.codec.base as codec; "
        "assert reading.distance('kamer', 'kamers') == 1; "
        "assert morph.double_metaphone('smith') == ('SM0', 'XMT') and codec.lev.levenshtein_automaton; "
        "assert len(whoosh.util.random_name()) == 28; assert whoosh.compat.htmlescape('<a>') == '&lt;a&gt;'; "
        "stemmed = morph.stem('running'); from whoosh.lang.porter import stem; assert stemmed == stem('running'); "
        "import io; out = io.BytesIO(); compound.copyfileobj(io.BytesIO(b'x'), out); "
        "assert out.getvalue() == b'x'; assert type(fs.tempfile).__name__ == '_StandIn'; "
        "import tempfile; assert tempfile is not fs.tempfile and hasattr(tempfile, 'mkdtemp')"
    )
    loaded = loaded_after(statement)
    assert {"tempfile", "calendar", "random", "html", "shutil", "whoosh.lang.porter"} <= loaded
    assert {"whoosh.support.levenshtein", "whoosh.lang.dmetaphone", "whoosh.automata.lev"} <= loaded
