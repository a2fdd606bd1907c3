"""Freed memory kept for the next search of a long-running process.

Scoring on arrays (:mod:`kvsearch.engine.bulk_scores`) makes arrays as long as a segment
(a flag and a score for each of its passages: megabytes at a million passages) and frees them
when the search is done. glibc's ``malloc`` serves a block above a threshold (128 KiB at
first, then the largest block freed so far) with fresh pages from the kernel and gives them
back when it is freed, and gives back free memory at the top of its heap beyond twice that,
so every search touches its arrays' pages for the first time again: a page fault each 4 KiB,
which costs microseconds on a virtual machine, milliseconds per search.

:func:`keep_freed_memory` raises the two thresholds, so that such blocks come from the heap
and freed ones stay there for the next search. The process keeps what its largest search
needed (its peak), not more: a later search reuses it. Only glibc has these settings; with
another C library nothing changes.
"""

from __future__ import annotations

import sys

#: ``mallopt`` parameters (glibc's malloc.h).
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3

#: Blocks up to this size come from the heap (glibc's largest allowed on 64-bit systems).
HEAP_BLOCKS_UP_TO = 32 * 1024 * 1024
#: Freed memory at the top of the heap is given back to the system only beyond this.
KEPT_UP_TO = 512 * 1024 * 1024

_kept: bool | None = None  # None: not asked yet


def keep_freed_memory() -> bool:
    """Ask glibc's ``malloc`` to keep freed memory for reuse (once per process); whether it
    took the settings (False with another C library, or where the call is refused)."""
    global _kept
    if _kept is None:
        _kept = sys.platform.startswith("linux") and _set_thresholds()
    return _kept


def _set_thresholds() -> bool:
    import ctypes  # only here: a one-line search that does not score on arrays never needs it

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    # glibc returns 1 on success; musl has the function but ignores it and returns 0.
    return bool(mallopt(_M_MMAP_THRESHOLD, HEAP_BLOCKS_UP_TO) == 1 and mallopt(_M_TRIM_THRESHOLD, KEPT_UP_TO) == 1)
