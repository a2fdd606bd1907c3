"""PDF text extraction in a child process with a time and memory bound.

PDF parsers have a long history of infinite loops and decompression bombs, and PDFium runs
native code: a hostile PDF must not be able to stall or exhaust the nightly build. The
builder talks to one long-lived worker process (``python -m kvsearch.ingest.pdf_sandbox``) over pipes;
a PDF that takes longer than the time limit gets the worker killed (and a new one started),
and the worker's address space is capped so that a bomb fails with MemoryError instead of
taking the machine down.
"""

from __future__ import annotations

import base64
import json
import os
import selectors
import subprocess
import sys
from typing import IO

from kvsearch.errors import SourceError

PDF_SECONDS = 30.0
PDF_MEMORY_BYTES = 1024 * 1024 * 1024
MAX_TEXT_CHARS = 20 * 1024 * 1024


class PdfWorker:
    """A child process that turns PDF bytes into text, one request at a time."""

    def __init__(self, seconds: float = PDF_SECONDS, memory: int = PDF_MEMORY_BYTES) -> None:
        self.seconds = seconds
        self.memory = memory
        self.process: subprocess.Popen[bytes] | None = None

    def _start(self) -> subprocess.Popen[bytes]:
        if self.process is None or self.process.poll() is not None:
            memory = self.memory

            def limit() -> None:  # runs in the child before exec
                import resource

                resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

            self.process = subprocess.Popen(
                [sys.executable, "-m", "kvsearch.ingest.pdf_sandbox"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                preexec_fn=limit if os.name == "posix" else None,
            )
        return self.process

    def extract(self, data: bytes) -> str:
        """Text of a PDF, pages separated by form feeds.

        Raises:
            SourceError: the PDF is unreadable, took too long or needed too much memory.
        """
        process = self._start()
        assert process.stdin is not None and process.stdout is not None
        try:
            process.stdin.write(base64.b64encode(data) + b"\n")
            process.stdin.flush()
        except BrokenPipeError:
            self.close()
            raise SourceError("PDF worker stopped unexpectedly") from None
        line = _read_line(process.stdout, self.seconds)
        if line is None:
            self.close()
            raise SourceError(f"PDF extraction took longer than {self.seconds:.0f} s; skipped")
        reply = _parse_reply(line)
        if reply is None:
            # The worker died on this PDF (PDFium aborts when a decompression bomb meets the
            # memory limit): start a new one for the next file.
            self.close()
            raise SourceError("damaged PDF: the PDF reader crashed on it (a decompression bomb, or too much memory)")
        if "error" in reply:
            raise SourceError(str(reply["error"]))
        return str(reply["text"])

    def close(self) -> None:
        if self.process is not None:
            if self.process.poll() is None:
                self.process.kill()
            self.process.wait()
            for stream in (self.process.stdin, self.process.stdout):
                if stream:
                    stream.close()
            self.process = None

    def __enter__(self) -> PdfWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _read_line(stream: IO[bytes], seconds: float) -> bytes | None:
    """One line from the worker (empty if it died), or None if it does not answer in time."""
    selector = selectors.DefaultSelector()
    selector.register(stream, selectors.EVENT_READ)
    try:
        if not selector.select(timeout=seconds):
            return None
        return stream.readline()
    finally:
        selector.close()


def _parse_reply(line: bytes) -> dict[str, str] | None:
    """The worker's answer, or None when there is none (it died) or it is not one."""
    try:
        reply = json.loads(line) if line else None
    except ValueError:
        return None
    if not isinstance(reply, dict) or not ("text" in reply or "error" in reply):
        return None
    return reply


def _serve() -> None:
    """The worker loop: base64 PDF per line in, one JSON object per line out."""
    from kvsearch.ingest.sources import extract_pdf_text

    for line in sys.stdin.buffer:
        try:
            text = extract_pdf_text(base64.b64decode(line.strip()))
            if len(text) > MAX_TEXT_CHARS:
                raise SourceError(f"PDF text too large ({len(text) // 1_000_000} million characters)")
            reply = {"text": text}
        except SourceError as error:
            reply = {"error": str(error)}
        except MemoryError:
            reply = {"error": "PDF needs too much memory; skipped"}
        except Exception as error:  # native library failures: report, keep serving
            reply = {"error": f"PDF extraction failed ({type(error).__name__})"}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    _serve()
