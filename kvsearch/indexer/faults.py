"""Where a running build can be stopped: a requested stop (a signal handler's), and the fault
injection points the crash tests use."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from kvsearch.indexer.report import ProgressFn

_STOP = threading.Event()
_held = 0  # how many stops_held() steps are running
_holder = 0  # the process running them: a child forked within one holds nothing


def request_stop() -> bool:
    """Make a running build stop at its next progress report or checkpoint, publishing nothing.

    For signal handlers: the ``KeyboardInterrupt`` a handler raises is lost when it lands in
    a finalizer (Python prints "Exception ignored" and goes on), and the build would then
    publish after all. The build raises ``KeyboardInterrupt`` itself when it sees the request.

    Returns whether the handler may raise ``KeyboardInterrupt`` now: not within
    :func:`stops_held`, whose end raises it instead. A child forked within such a step (a
    parser not yet past its start) is stopped at once: its parent's step is not its own, and
    a child that let the stop wait would wait for ever, out of the parent's reach."""
    _STOP.set()
    return _held == 0 or _holder != os.getpid()


@contextmanager
def stops_held() -> Iterator[None]:
    """A step that a stop must not cut in two: a stop requested within it is raised at its
    end. Forking a segment writer is one: stopped between the fork and the listing of the
    child, the build could not stop that child, which went on writing into the build folder
    being removed."""
    global _held, _holder
    _held += 1
    _holder = os.getpid()
    try:
        yield
    finally:
        _held -= 1
    stop_if_requested()


def clear_stop_request() -> None:
    """Forget a stop request once its build is over, so that the next build runs."""
    _STOP.clear()


def stop_if_requested() -> None:
    if _STOP.is_set():
        raise KeyboardInterrupt


def stoppable(progress: ProgressFn | None) -> ProgressFn:
    """``progress``, preceded by the check for a requested stop (progress is reported often)."""

    def report(phase: str, done: int, total: int) -> None:
        stop_if_requested()
        if progress:
            progress(phase, done, total)

    return report


def checkpoint(name: str) -> None:
    """Fault injection for the crash tests: ``KVSEARCH_FAULT=<name>:kill`` kills the process
    with SIGKILL at that point, ``<name>:sleep:<seconds>`` pauses there. Points: ``reading``,
    ``writing``, ``publishing``. A requested stop (``request_stop``) is honoured here too."""
    stop_if_requested()
    spec = os.environ.get("KVSEARCH_FAULT", "")
    point, _, action = spec.partition(":")
    if point != name:
        return
    if action == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    elif action.startswith("sleep:"):
        time.sleep(float(action.split(":", 1)[1]))
