"""Write a new index as a few segments at once, one per process.

Analysing passages and encoding their postings is most of a full build, and one process does
it on one core. Here each part of the documents gets its own ``FastSegmentWriter`` and its own
segment: part 0 in the builder itself, the others in forked children. The segments are listed
in part order in one table of contents, so document numbers, postings, stored fields and
counts are what one writer adding the parts in order would give; only the segment count
differs (a reader combines the segments as for any multi-segment index).
"""

from __future__ import annotations

import multiprocessing
import pickle
import traceback
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any, TypeVar

import kvsearch.engine.whoosh_import  # noqa: F401  (before any whoosh module: a lighter Whoosh import)

# isort: split
from kvsearch.engine.schema import KvCodec
from kvsearch.engine.segment_writer import FastSegmentWriter
from kvsearch.ingest.corpus import init_worker

T = TypeVar("T")

#: ``work(writer, part, tick)`` adds part ``part``'s documents; ``tick()`` after each document.
Work = Callable[[FastSegmentWriter, int, Callable[[], None]], T]


def write_segments(
    ix: Any,
    work: Work[T],
    parts: int,
    limitmb: int,
    progress: Callable[[int], None] | None = None,
    uninterrupted: Callable[[], AbstractContextManager[None]] = nullcontext,
) -> list[T]:
    """Run ``work`` for each part, each with a writer of its own, and commit the segments.

    ``ix`` must be a new, empty index. ``limitmb`` is the posting memory of all writers
    together. The results of ``work``, in part order, are returned; if any part fails, nothing
    is committed and the error is raised here. Each child is forked and listed within
    ``uninterrupted()``: a child forked but not yet listed when a stop is raised would not be
    stopped with the others.
    """
    context = multiprocessing.get_context("fork")
    done = context.Array("q", parts, lock=False)
    children = []
    writer = None
    try:
        # Children first: a child forked later would inherit this writer's open, buffered files.
        for part in range(1, parts):
            receive, send = context.Pipe(duplex=False)
            child = context.Process(target=_child, args=(ix, work, part, limitmb // parts, done, send), daemon=True)
            with uninterrupted():
                child.start()
                children.append((child, receive))
            send.close()
        writer = FastSegmentWriter(ix, limitmb=max(1, limitmb // parts), codec=KvCodec())

        def tick() -> None:
            done[0] += 1
            if progress:
                progress(sum(done))

        results = [work(writer, 0, tick)]
        segments = [writer._finalize_segment()]
        for child, receive in children:
            while not receive.poll(0.2):
                if progress:
                    progress(sum(done))
                if not child.is_alive() and not receive.poll(0):
                    raise RuntimeError(f"index writer process {child.pid} died (exit {child.exitcode})")
            ok, payload = receive.recv()
            child.join()
            if not ok:
                raise pickle.loads(payload) if isinstance(payload, bytes) else RuntimeError(payload)
            segment, result = payload
            segments.append(segment)
            results.append(result)
        writer._commit_toc(segments)
        writer._finish()
        return results
    except BaseException:
        for child, _ in children:
            if child.is_alive():
                child.kill()
            child.join()
        if writer is not None and not writer.is_closed:
            writer.cancel()
        raise


def _child(ix: Any, work: Work[Any], part: int, limitmb: int, done: Any, send: Any) -> None:
    """A forked writer: its part as a finished segment, sent back with ``work``'s result."""
    init_worker()  # dies with the builder; leaves interrupts to it
    try:
        writer = FastSegmentWriter(ix, _lk=False, limitmb=max(1, limitmb), codec=KvCodec())

        def tick() -> None:
            done[part] += 1

        result = work(writer, part, tick)
        segment = writer._finalize_segment()  # the builder's writer removes the shared temporary folder
        send.send((True, (segment, result)))
    except BaseException as error:
        try:
            send.send((False, pickle.dumps(error)))
        except Exception:  # an error that does not pickle: its traceback as text
            send.send((False, traceback.format_exc()))
    finally:
        send.close()
