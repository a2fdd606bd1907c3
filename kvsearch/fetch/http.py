"""Polite HTTP for the publications service: one request at a time, a rate limit, retries.

The service publishes no usage terms, so kvsearch behaves as the careful clients of it do: it
waits between requests, names itself in the User-Agent, gives up on a request after a
timeout and backs off when the server says it is busy (429, 5xx, ``Retry-After``). A document
that is gone (404, 410, or a redirect to the site's error page) is reported as such, never
retried.
"""

from __future__ import annotations

import email.utils
import http.client
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kvsearch import __version__
from kvsearch.errors import CorpusWriteError, ServiceError

USER_AGENT = f"kvsearch/{__version__} (full-text search of Kamervragen; Python urllib)"

#: A response larger than this is refused: no Kamervragen document or result page comes near it.
MAX_BODY_BYTES = 100 * 1024 * 1024

#: Longest wait kvsearch accepts from a Retry-After header; a server asking for more is treated
#: as unavailable, so a cron run ends instead of hanging for hours.
MAX_RETRY_AFTER = 300.0

#: Markers of the old host's "page not found" redirect target.
ERROR_PAGE_MARKERS = ("fout404", "errors/404")


class DocumentGone(Exception):
    """The server says this document does not exist (any more)."""


class RefusedLink(ServiceError):
    """A link kvsearch does not follow (not http or https): the same every time it is tried."""


class _Transient(Exception):
    """A failure worth another try: a timeout, a dropped connection, a truncated body."""


@dataclass(frozen=True)
class Response:
    url: str  # after redirects
    status: int
    headers: dict[str, str]  # names in lower case
    body: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


class Transport:
    """GET with a rate limit, timeouts and retries with back-off.

    Args:
        rate: at most this many requests per second (a request's start counts).
        timeout: seconds to wait for a connection or the next bytes of an answer.
        retries: further tries after a timeout, a 429 or a 5xx.
        backoff: seconds before the first retry when the server gives no ``Retry-After``;
            doubled at each further retry.
        record_dir: if given, every answer is also saved there (numbered files, listed with
            status and URL in ``requests.tsv``), to refresh test fixtures from the real service.
    """

    def __init__(
        self,
        *,
        rate: float = 1.0,
        timeout: float = 60.0,
        retries: int = 4,
        backoff: float = 2.0,
        sleep: Callable[[float], None] = time.sleep,
        record_dir: Path | None = None,
    ) -> None:
        self.interval = 1.0 / rate
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.sleep = sleep
        self.requests = 0
        self.record_dir = record_dir
        self._last_start: float | None = None
        # No proxies from the environment and no cookies: only what the caller asked for.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def get(self, url: str) -> Response:
        """The answer to a GET of ``url`` with status 200.

        Raises:
            DocumentGone: 404 or 410, or a redirect to an error page.
            RefusedLink: ``url`` is not an http(s) URL.
            ServiceError: the server cannot be reached, keeps failing, or answers otherwise.
        """
        if not url.startswith(("https://", "http://")):
            raise RefusedLink(f"refusing to follow a link that is not http(s): {url[:200]!r}")
        problem, wait = "", 0.0
        for attempt in range(self.retries + 1):
            if attempt:
                self.sleep(wait)
            try:
                response = self._request(url)
            except _Transient as error:
                problem, wait = str(error), self._backoff(attempt)
                continue
            if self.record_dir is not None:
                _record(self.record_dir, f"{self.requests:05d}", response)
            if response.status in (404, 410) or _is_error_page(response.url):
                raise DocumentGone(f"{url}: gone (HTTP {response.status})")
            if response.status == 200:
                return response
            if response.status != 429 and response.status < 500:
                raise ServiceError(f"{url}: unexpected HTTP {response.status}")
            problem = f"HTTP {response.status}"
            retry_after = _retry_after(response.headers)
            if retry_after is not None and retry_after > MAX_RETRY_AFTER:
                raise ServiceError(f"{url}: {problem}, asked to wait {retry_after:.0f} s")
            wait = self._backoff(attempt) if retry_after is None else retry_after
        raise ServiceError(f"{url}: {problem} (gave up after {self.retries + 1} tries)")

    def _backoff(self, attempt: int) -> float:
        return self.backoff * 2**attempt

    def _wait_turn(self) -> None:
        now = time.monotonic()
        if self._last_start is not None and now - self._last_start < self.interval:
            self.sleep(self.interval - (now - self._last_start))
        self._last_start = time.monotonic()

    def _request(self, url: str) -> Response:
        self._wait_turn()
        self.requests += 1
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "*/*"})
        try:
            with self._opener.open(request, timeout=self.timeout) as answer:
                return Response(answer.geturl(), answer.status, _lowered(answer.headers), _read_body(answer))
        except urllib.error.HTTPError as error:
            with error:  # the body of an error answer is not needed, only its status and headers
                return Response(error.geturl() or url, error.code, _lowered(error.headers), b"")
        except TimeoutError as error:
            raise _Transient(f"timed out after {self.timeout:g} s") from error
        except http.client.IncompleteRead as error:
            raise _Transient("the answer was cut off") from error
        except (urllib.error.URLError, ConnectionError, http.client.HTTPException) as error:
            reason = getattr(error, "reason", error)
            if isinstance(reason, TimeoutError):
                raise _Transient(f"timed out after {self.timeout:g} s") from error
            raise _Transient(f"cannot connect: {reason}") from error


def _record(folder: Path, number: str, response: Response) -> None:
    """Save one answer as ``<number>-<last part of its URL>`` and list it in requests.tsv."""
    last = response.url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    name = f"{number}-{re.sub(r'[^A-Za-z0-9._-]', '_', last)[:80] or 'answer'}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(response.body)
        with open(folder / "requests.tsv", "a", encoding="utf-8") as listing:
            listing.write(f"{name}\t{response.status}\t{response.url}\n")
    except OSError as error:
        raise CorpusWriteError(f"cannot write the record folder {folder}: {error.strerror or error}") from None


def _lowered(headers: object) -> dict[str, str]:
    items = headers.items() if headers is not None else []  # type: ignore[attr-defined]
    return {str(name).lower(): str(value) for name, value in items}


def _read_body(answer: http.client.HTTPResponse | urllib.error.HTTPError) -> bytes:
    try:
        body = answer.read(MAX_BODY_BYTES + 1)
    except TimeoutError as error:
        raise _Transient("timed out while reading the answer") from error
    except http.client.IncompleteRead as error:
        raise _Transient("the answer was cut off") from error
    if len(body) > MAX_BODY_BYTES:
        raise ServiceError(f"answer larger than {MAX_BODY_BYTES // (1024 * 1024)} MB, refused")
    expected = answer.headers.get("Content-Length") if answer.headers else None
    if expected and expected.isdigit() and int(expected) != len(body):
        raise _Transient("the answer was cut off")
    return body


def _retry_after(headers: dict[str, str]) -> float | None:
    """Seconds the server asks to wait (``Retry-After`` as seconds or as an HTTP date)."""
    value = headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _is_error_page(url: str) -> bool:
    lowered = url.lower()
    return any(marker in lowered for marker in ERROR_PAGE_MARKERS)
