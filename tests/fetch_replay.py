"""A stand-in for the official publications service: a stdlib HTTP server on 127.0.0.1.

Routes are keyed by path (``/frbr/…/ah-1251487.pdf``) or, for the SRU endpoint, by
``sru:<kind>:<startRecord>`` with kind ``aanhangsel`` or ``zonder-antwoord`` (read from the
query). Each route holds a list of replies: each request takes the next one, and the last
one repeats, so "429, then the page" is ``[Reply(429), Reply(body=page)]``.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

SRU_DATA = Path(__file__).resolve().parent / "data" / "sru"
FRBR = "/frbr/officielepublicaties"


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering (longer than the client's timeout: a timeout)
    cut: bool = False  # announce the whole body, send half, close: a truncated answer


class Replay:
    def __init__(self) -> None:
        self.routes: dict[str, list[Reply]] = {}
        self.requests: list[str] = []  # route keys, in the order asked
        self.queries: list[str] = []  # the CQL of every SRU request
        self.user_agents: set[str] = set()
        replay = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
                replay.user_agents.add(self.headers.get("User-Agent", ""))
                key = replay.key_for(self.path)
                replay.requests.append(key)
                replay.queries.extend(parse_qs(urlsplit(self.path).query).get("query", []))
                replies = replay.routes.get(key) or [Reply(404, b"<html><body>niet gevonden</body></html>")]
                reply = replies.pop(0) if len(replies) > 1 else replies[0]
                time.sleep(reply.delay)
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body[: len(reply.body) // 2] if reply.cut else reply.body)
                if reply.cut:
                    self.close_connection = True

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def sru_url(self) -> str:
        return f"{self.base}/sru"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    @staticmethod
    def key_for(path: str) -> str:
        parts = urlsplit(path)
        if parts.path != "/sru":
            return parts.path
        params = parse_qs(parts.query)
        query = params.get("query", [""])[0]
        kind = "aanhangsel" if "Kamervragen (Aanhangsel)" in query else "zonder-antwoord"
        return f"sru:{kind}:{params.get('startRecord', ['1'])[0]}"

    def fixture(self, name: str) -> bytes:
        """A fixture file, with its links pointing at this server."""
        return (SRU_DATA / name).read_bytes().replace(b"http://REPLAY", self.base.encode())

    def on(self, key: str, *replies: Reply) -> None:
        self.routes[key] = list(replies)

    def count(self, key: str) -> int:
        return self.requests.count(key)


def document_path(identifier: str, manifestation: str, group: str = "ah-tk/20232024") -> str:
    if manifestation == "metadata":
        return f"{FRBR}/{group}/{identifier}/1/metadata/metadata.xml"
    return f"{FRBR}/{group}/{identifier}/1/{manifestation}/{identifier}.{manifestation}"


def serve_archive(replay: Replay) -> None:
    """The listing of four answers in short pages, no unanswered questions, and the documents:
    one with XML and PDF, one PDF-only ``ah-<digits>``, one whose XML is empty, one gone."""
    replay.on("sru:aanhangsel:1", Reply(body=replay.fixture("aanhangsel-page-1.xml")))
    replay.on("sru:aanhangsel:3", Reply(body=replay.fixture("aanhangsel-page-2.xml")))
    replay.on("sru:aanhangsel:4", Reply(body=replay.fixture("aanhangsel-page-3.xml")))
    replay.on("sru:zonder-antwoord:1", Reply(body=replay.fixture("empty.xml")))
    pdf = {"Content-Type": "application/pdf"}
    xml = {"Content-Type": "application/xml"}
    doc = "ah-tk-20232024-1076"
    replay.on(document_path(doc, "xml"), Reply(body=replay.fixture(f"{doc}.xml"), headers=xml))
    replay.on(document_path(doc, "pdf"), Reply(body=replay.fixture(f"{doc}.pdf"), headers=pdf))
    replay.on(document_path(doc, "metadata"), Reply(body=replay.fixture(f"metadata-{doc}.xml"), headers=xml))
    new_id, new_group = "ah-1251487", "ah/onopgemaakt"
    replay.on(document_path(new_id, "pdf", new_group), Reply(body=replay.fixture(f"{new_id}.pdf"), headers=pdf))
    replay.on(
        document_path(new_id, "metadata", new_group), Reply(body=replay.fixture(f"metadata-{new_id}.xml"), headers=xml)
    )
    doc = "ah-tk-20232024-1893"
    replay.on(document_path(doc, "xml"), Reply(body=replay.fixture(f"{doc}-empty.xml"), headers=xml))
    replay.on(document_path(doc, "pdf"), Reply(body=replay.fixture(f"{doc}.pdf"), headers=pdf))
    # ah-tk-20232024-2101: no route, so its PDF and metadata.xml answer 404
