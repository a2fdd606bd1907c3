"""Import Whoosh without the modules it loads at import time but never uses for us.

Whoosh's own imports cost more than opening an index and searching it. About half of that is
three modules it imports for features kvsearch does not use: ``urllib.request`` (for
``whoosh.compat.urlretrieve``; it pulls in http, email and ssl), the ``cached_property``
package (which imports asyncio; the standard library's ``functools.cached_property`` does the
same job) and ``whoosh.lang.morph_en`` (English word variations). While Whoosh is imported,
those names are stand-ins that load the real module if one of their functions is ever called;
afterwards the stand-ins are removed, so every later import gets the real module.

Import this module before any ``whoosh`` module (``kvsearch.schema`` does). Measured with
``python -X importtime``: Whoosh's import time falls by about 60 % (README, "Performance").
"""

from __future__ import annotations

import functools
import importlib
import sys
import types
from collections.abc import Callable
from typing import Any


def _deferred(module: str, name: str) -> Callable[..., Any]:
    """A function that imports the real ``module`` when it is first called."""

    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(importlib.import_module(module), name)(*args, **kwargs)

    return call


_STAND_INS: dict[str, dict[str, Any]] = {
    "urllib.request": {"urlretrieve": _deferred("urllib.request", "urlretrieve")},
    "cached_property": {"cached_property": functools.cached_property},
    "whoosh.lang.morph_en": {"variations": _deferred("whoosh.lang.morph_en", "variations")},
}


def _import_whoosh() -> None:
    if "whoosh" in sys.modules:
        return
    placed: dict[str, types.ModuleType] = {}
    for name, attributes in _STAND_INS.items():
        if name not in sys.modules:
            stand_in = types.ModuleType(name, "kvsearch.whooshlib stand-in, used only while Whoosh is imported")
            stand_in.__dict__.update(attributes)
            sys.modules[name] = placed[name] = stand_in
    try:
        importlib.import_module("whoosh.index")
        importlib.import_module("whoosh.query")
        importlib.import_module("whoosh.searching")
    finally:
        for name, stand_in in placed.items():
            if sys.modules.get(name) is stand_in:
                del sys.modules[name]


_import_whoosh()
