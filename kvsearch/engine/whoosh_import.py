"""Import Whoosh without the modules it loads at import time but never uses for us.

Whoosh's own imports cost more than opening an index and searching it. About half of that is
three modules it imports for features kvsearch does not use: ``urllib.request`` (for
``whoosh.compat.urlretrieve``; it pulls in http, email and ssl), the ``cached_property``
package (which imports asyncio; the standard library's ``functools.cached_property`` does the
same job) and ``whoosh.lang.morph_en`` (English word variations). A second group is used
only when writing an index or for features a search never touches: ``tempfile`` (with
``bz2`` and ``lzma``), ``shutil``, ``random``, ``calendar`` (with ``locale``), ``queue``,
``html`` and the English Porter stemmer. A third group is Whoosh's own modules for what
kvsearch never does: fuzzy terms (``whoosh.automata.lev``,
``whoosh.support.levenshtein``) and phonetic codes (``whoosh.lang.dmetaphone``). And
``hashlib`` would load OpenSSL for the one function Whoosh takes from it, MD5 (the hash of its
term tables): the standard library's own MD5 module gives the same digests without it. And
``decimal`` is for numeric fields with decimal places, which kvsearch's schema has none of.

While Whoosh is imported, those names are stand-ins; afterwards the stand-ins are removed from
``sys.modules``, so every later import gets the real module. A stand-in that Whoosh keeps
(``import tempfile``) or a function taken from one (``from shutil import copyfileobj``) loads the
real module the first time it is used, so nothing stops working: it only costs its import
then, not at every start.

Import this module before any ``whoosh`` module (``kvsearch.engine.schema`` does): the one-liner
pays Whoosh's import at every start, and most of it is modules a search never uses (the figures
are in docs/performance.md).

It also stops Whoosh from copying memory-mapped index files: ``BufferFile`` (the reader of a
part of a memory-mapped segment) wraps its memoryview in ``io.BytesIO``, which copies it, so
opening an index would read every posting and stored field into memory, which grows with the
archive (docs/performance.md). :class:`MappedFile` reads the view in place.

And it reads the small pickles that describe an index's structure (a segment's directory, a
table of contents' segments) with :func:`~kvsearch.engine.index_pickles.load_structure_pickle`,
so that a damaged byte in them cannot make the unpickler claim gigabytes.
"""

from __future__ import annotations

import functools
import importlib
import io
import sys
import types
from collections.abc import Callable
from typing import Any


def _deferred(module: str, name: str) -> Callable[..., Any]:
    """A function that imports the real ``module`` when it is first called."""

    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(importlib.import_module(module), name)(*args, **kwargs)

    return call


class _StandIn(types.ModuleType):
    """A module in place of the real one while Whoosh is imported; later, a door to the real one."""

    def __getattr__(self, name: str) -> Any:
        if sys.modules.get(self.__name__) is self:  # still importing: the real one is not there
            raise AttributeError(f"{self.__name__}.{name}: kvsearch.engine.whoosh_import has no stand-in for it")
        return getattr(importlib.import_module(self.__name__), name)


def _md5() -> Callable[..., Any]:
    """MD5 without OpenSSL (``hashlib`` falls back to the same module when OpenSSL lacks it)."""
    try:
        md5: Callable[..., Any] = importlib.import_module("_md5").md5
    except ImportError:  # a Python built without it: hashlib's, when first called
        return _deferred("hashlib", "md5")
    return md5


class _NoDecimal:
    """In place of ``decimal.Decimal`` in ``whoosh.fields``, which uses it only for numeric
    fields with decimal places (kvsearch's have none) and to tell a ``Decimal`` value apart:
    nothing kvsearch indexes or queries is one, so nothing is an instance of this class."""


#: Module -> the names Whoosh takes from it at import time (``from module import name``).
_STAND_INS: dict[str, dict[str, Any]] = {
    "urllib.request": {"urlretrieve": _deferred("urllib.request", "urlretrieve")},
    "cached_property": {"cached_property": functools.cached_property},
    "whoosh.lang.morph_en": {"variations": _deferred("whoosh.lang.morph_en", "variations")},
    "whoosh.lang.porter": {"stem": _deferred("whoosh.lang.porter", "stem")},
    "html": {"escape": _deferred("html", "escape")},
    "shutil": {"copyfileobj": _deferred("shutil", "copyfileobj")},
    "tempfile": {},
    "random": {},
    "calendar": {},
    "queue": {},
    "hashlib": {"md5": _md5()},
    "decimal": {"Decimal": _NoDecimal},
    "whoosh.automata.lev": {},
    "whoosh.support.levenshtein": {"distance": _deferred("whoosh.support.levenshtein", "distance")},
    "whoosh.lang.dmetaphone": {"double_metaphone": _deferred("whoosh.lang.dmetaphone", "double_metaphone")},
}


#: The Whoosh modules a search uses, imported while the stand-ins are in place.
_SEARCH_MODULES = (
    "whoosh.index",
    "whoosh.query",
    "whoosh.searching",
    "whoosh.collectors",
    "whoosh.codec.whoosh3",
    "whoosh.filedb.filestore",
)


def _import_whoosh() -> None:
    if "whoosh" in sys.modules:
        return
    placed: dict[str, types.ModuleType] = {}
    for name, attributes in _STAND_INS.items():
        if name not in sys.modules:
            stand_in = _StandIn(name, "kvsearch.engine.whoosh_import stand-in, used only while Whoosh is imported")
            stand_in.__dict__.update(attributes)
            sys.modules[name] = placed[name] = stand_in
    try:
        for module in _SEARCH_MODULES:
            importlib.import_module(module)
    finally:
        for name, placed_module in placed.items():
            if sys.modules.get(name) is placed_module:
                del sys.modules[name]


class MappedFile(io.RawIOBase):
    """A read-only file over a memoryview (of a memory-mapped segment), without a copy."""

    def __init__(self, view: memoryview | bytes) -> None:
        self._view = memoryview(view)
        self._position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        end = len(self._view) if size is None or size < 0 else min(len(self._view), self._position + size)
        data = self._view[self._position : end].tobytes()
        self._position = max(self._position, end)
        return data

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: len(self._view)}[whence]
        if base + offset < 0:
            raise ValueError("negative seek position")
        self._position = base + offset
        return self._position

    def tell(self) -> int:
        return self._position

    def close(self) -> None:
        self._view.release()
        super().close()


def _read_in_place() -> None:
    from whoosh.filedb.structfile import BufferFile

    def __init__(self: Any, buf: Any, name: str | None = None, onclose: Any = None) -> None:
        self._buf = buf
        self._name = name
        self.file = MappedFile(buf)
        self.onclose = onclose
        self.is_real = False
        self.is_closed = False

    BufferFile.__init__ = __init__


def _bounded_structure_pickles() -> None:
    from whoosh.filedb.structfile import StructFile

    from kvsearch.engine.index_pickles import load_structure_pickle

    def read_pickle(self: Any) -> Any:
        return load_structure_pickle(self.file)

    StructFile.read_pickle = read_pickle


_import_whoosh()
_read_in_place()
_bounded_structure_pickles()
