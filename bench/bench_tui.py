"""How fast the TUI is usable and how fast results follow a keystroke.

    python bench/bench_tui.py [--index DIR] [--runs N]

1. In a real pseudo-terminal: from starting ``kvsearch tui`` to the search box on screen, and
   from a keystroke to the updated hit count on screen (both with the 150 ms debounce and with
   Enter). This is what a user waits for, Python start-up and imports included.
2. Headless with Textual's Pilot: the same two steps inside the app (no process start-up).

Build an index first: kvsearch index --corpus ../shared/corpus --index /tmp/tui-index
"""

from __future__ import annotations

import argparse
import asyncio
import fcntl
import os
import pty
import re
import select
import statistics
import struct
import sys
import termios
import time
from pathlib import Path

QUERIES = ["ambtenaren", "stikstof", "jeugdzorg", "asiel", "verkiezingsuitslag"]


class Terminal:
    """``kvsearch tui`` in a pseudo-terminal of 120x40; reads what it draws."""

    def __init__(self, index: Path) -> None:
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # child
            os.environ["TERM"] = "xterm-256color"
            os.execv(sys.executable, [sys.executable, "-m", "kvsearch", "tui", "--index", str(index)])
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        self.screen = b""

    def wait_for(self, pattern: bytes, timeout: float = 20.0) -> float:
        """Seconds until ``pattern`` appears in new output."""
        started = time.perf_counter()
        seen = b""
        while time.perf_counter() - started < timeout:
            ready, _, _ = select.select([self.fd], [], [], 0.005)
            if ready:
                seen += os.read(self.fd, 1 << 16)
                if re.search(pattern, seen):
                    return time.perf_counter() - started
        raise TimeoutError(pattern)

    def send(self, data: bytes) -> None:
        os.write(self.fd, data)

    def drain(self, seconds: float = 0.3) -> None:
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            if select.select([self.fd], [], [], 0.01)[0]:
                try:
                    os.read(self.fd, 1 << 16)
                except OSError:  # the app has exited and closed the terminal
                    return

    def close(self) -> int:
        self.send(b"\x11")  # ctrl+q
        self.drain(0.5)
        _, status = os.waitpid(self.pid, 0)
        return os.waitstatus_to_exitcode(status)


def in_a_terminal(index: Path, runs: int, queries: list[str] = QUERIES) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"launch": [], "keystroke (debounced)": [], "Enter": []}
    for _ in range(runs):
        started = time.perf_counter()
        term = Terminal(index)
        term.wait_for(b"earch Kamervragen")  # "S" is under the cursor
        times["launch"].append(time.perf_counter() - started)
        term.drain()
        for query in queries:
            term.send(query[:-1].encode())
            term.drain(0.4)
            sent = time.perf_counter()
            term.send(query[-1].encode())
            term.wait_for(rb"\d+ hits? .{1,4}\d+ ms")
            times["keystroke (debounced)"].append(time.perf_counter() - sent)
            term.send(b" ")
            term.drain(0.4)
            sent = time.perf_counter()
            term.send(b"\r")
            term.wait_for(rb"\d+ hits? .{1,4}\d+ ms")
            times["Enter"].append(time.perf_counter() - sent)
            term.send(b"\x15")  # ctrl+u: clear the box
            term.drain(0.4)
        assert term.close() == 0
    return times


async def headless(index: Path, runs: int) -> dict[str, list[float]]:
    from kvsearch.tui import KvsearchApp

    times: dict[str, list[float]] = {
        "mount to search box": [],
        "keystroke (debounced)": [],
        "Enter": [],
    }

    async def settle(pilot, app, before: int) -> None:  # type: ignore[no-untyped-def]
        while not (app.request > before and app.answered == app.request):
            await pilot.pause(0.001)

    for _ in range(runs):
        started = time.perf_counter()
        app = KvsearchApp(index_dir=index, watch_seconds=3600)
        async with app.run_test(size=(120, 40)) as pilot:
            times["mount to search box"].append(time.perf_counter() - started)
            for query in QUERIES:
                box = app.query_one("#search")
                box.value = query[:-1]
                box.cursor_position = len(box.value)  # setting the value leaves the cursor at the start
                await pilot.pause(0.3)
                before = app.request
                sent = time.perf_counter()
                await pilot.press(query[-1])
                await settle(pilot, app, before)
                times["keystroke (debounced)"].append(time.perf_counter() - sent)
                before = app.request
                sent = time.perf_counter()
                await pilot.press("enter")
                await settle(pilot, app, before)
                times["Enter"].append(time.perf_counter() - sent)
    return times


def report(title: str, times: dict[str, list[float]]) -> None:
    print(title)
    for name, values in times.items():
        ms = sorted(v * 1000 for v in values)
        print(f"  {name:<24} median {statistics.median(ms):6.0f} ms   max {ms[-1]:6.0f} ms   (n={len(ms)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", type=Path, default=Path(os.environ.get("KVSEARCH_INDEX", "index")))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    report(f"in a 120x40 pseudo-terminal ({args.index}):", in_a_terminal(args.index, args.runs))
    report("headless (Pilot):", asyncio.run(headless(args.index, args.runs)))


if __name__ == "__main__":
    main()
