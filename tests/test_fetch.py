"""``kvsearch fetch`` against a local replay of the publications service (tests/fetch_replay.py).

Every test runs the real CLI in a fresh process; the replay answers on 127.0.0.1 with
responses in the service's real shapes (tests/data/sru). No test touches the internet.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli
from tests.fetch_replay import Replay, Reply, document_path, serve_archive

SERVICE_EXIT = 69
FETCHED = ["ah-1251487.pdf", "ah-tk-20232024-1076.xml", "ah-tk-20232024-1893.pdf"]


@pytest.fixture
def replay():
    server = Replay()
    yield server
    server.close()


@pytest.fixture
def archive(replay: Replay) -> Replay:
    serve_archive(replay)
    return replay


def fetch(corpus: Path, replay: Replay, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli("fetch", "--corpus", str(corpus), "--sru-url", replay.sru_url, "--rate", "100", "--json", *args)


def counts(done: subprocess.CompletedProcess[str]) -> dict:
    return json.loads(done.stdout)


def visible_files(corpus: Path) -> list[str]:
    return sorted(name for name in os.listdir(corpus) if not name.startswith("."))


class TestListing:
    def test_short_pages_are_followed_to_the_end_and_every_document_lands(self, tmp_path, archive):
        corpus = tmp_path / "corpus"
        done = fetch(corpus, archive)
        assert done.returncode == 0, done.stderr
        report = counts(done)
        assert (report["listed"], report["new"], report["changed"], report["unchanged"]) == (4, 3, 0, 0)
        assert report["failed"] == {"gone": 1}
        # the service gave 2 + 1 + 1 records although 500 were asked
        assert [key for key in archive.requests if key.startswith("sru:aanhangsel")] == [
            "sru:aanhangsel:1",
            "sru:aanhangsel:3",
            "sru:aanhangsel:4",
        ]
        assert visible_files(corpus) == FETCHED
        for name in FETCHED:
            assert (corpus / name).read_bytes() == archive.fixture(name)

    def test_the_xml_is_taken_when_it_has_text_and_an_empty_xml_falls_back_to_the_pdf(self, tmp_path, archive):
        corpus = tmp_path / "corpus"
        assert fetch(corpus, archive).returncode == 0
        assert archive.count(document_path("ah-tk-20232024-1076", "pdf")) == 0
        assert archive.count(document_path("ah-tk-20232024-1893", "xml")) == 1
        assert not (corpus / "ah-tk-20232024-1893.xml").exists()
        assert (corpus / "ah-tk-20232024-1893.pdf").is_file()

    def test_an_xml_that_is_not_kamervragen_falls_back_to_the_pdf(self, tmp_path, archive):
        corpus = tmp_path / "corpus"
        text = b"Een ander soort document met genoeg tekst om niet leeg te zijn. " * 3
        other = b"<kamerstuk><al>" + text + b"</al></kamerstuk>"
        archive.on(document_path("ah-tk-20232024-1893", "xml"), Reply(body=other))
        assert fetch(corpus, archive).returncode == 0
        assert "ah-tk-20232024-1893.pdf" in visible_files(corpus)
        assert "ah-tk-20232024-1893.xml" not in visible_files(corpus)

    def test_metadata_and_the_record_are_kept_out_of_the_index_s_way(self, tmp_path, archive):
        corpus = tmp_path / "corpus"
        assert fetch(corpus, archive).returncode == 0
        state = corpus / ".kvsearch-fetch"
        assert (state / "metadata" / "ah-1251487.xml").read_bytes() == archive.fixture("metadata-ah-1251487.xml")
        record = (state / "metadata" / "ah-1251487.record.xml").read_text()
        assert "2026Z08811" in record and "Onopgemaakt" in record

    def test_an_xml_that_is_gone_falls_back_to_the_pdf(self, tmp_path, archive):
        archive.on(document_path("ah-tk-20232024-1076", "xml"), Reply(404))
        done = fetch(tmp_path / "corpus", archive)
        assert done.returncode == 0, done.stderr
        assert "ah-tk-20232024-1076.pdf" in visible_files(tmp_path / "corpus")
        assert counts(done)["failed"] == {"gone": 1}

    def test_a_document_that_is_gone_is_reported_and_skipped(self, tmp_path, archive):
        done = fetch(tmp_path / "corpus", archive)
        assert done.returncode == 0
        gone = [line for line in done.stderr.splitlines() if "ah-tk-20232024-2101" in line]
        assert len(gone) == 1 and "gone" in gone[0] and "404" in gone[0]
        assert not (tmp_path / "corpus" / "ah-tk-20232024-2101.pdf").exists()

    def test_both_kinds_of_the_tweede_kamer_are_asked_for_politely(self, tmp_path, archive):
        fetch(tmp_path / "corpus", archive)
        assert any('w.publicatienaam=="Kamervragen (Aanhangsel)"' in q for q in archive.queries)
        assert any('w.publicatienaam=="Kamervragen zonder antwoord"' in q for q in archive.queries)
        assert all('dt.creator=="Tweede Kamer der Staten-Generaal"' in q for q in archive.queries)
        assert len(archive.user_agents) == 1 and next(iter(archive.user_agents)).startswith("kvsearch/")

    def test_an_empty_result_is_a_complete_run(self, tmp_path, replay):
        replay.on("sru:aanhangsel:1", Reply(body=replay.fixture("empty.xml")))
        replay.on("sru:zonder-antwoord:1", Reply(body=replay.fixture("empty.xml")))
        done = fetch(tmp_path / "corpus", replay)
        assert done.returncode == 0, done.stderr
        assert counts(done)["listed"] == 0
        assert counts(done)["watermark"] == date.today().isoformat()

    def test_a_vergaderjaar_range_asks_for_each_year_and_leaves_the_watermark(self, tmp_path, archive):
        done = fetch(tmp_path / "corpus", archive, "--vergaderjaar", "2022-2023..2023-2024")
        assert done.returncode == 0, done.stderr
        years = [q for q in archive.queries if "Aanhangsel" in q and "w.vergaderjaar" in q]
        assert any('w.vergaderjaar=="2022-2023"' in q for q in years)
        assert any('w.vergaderjaar=="2023-2024"' in q for q in years)
        assert counts(done)["watermark"] is None


class TestServiceErrors:
    def test_diagnostics_are_an_error_never_zero_results(self, tmp_path, replay):
        replay.on("sru:aanhangsel:1", Reply(body=replay.fixture("diagnostic.xml")))
        done = fetch(tmp_path / "corpus", replay)
        assert done.returncode == SERVICE_EXIT
        assert done.stdout == ""
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and "refused the query" in lines[0] and "mismatched input" in lines[0]

    def test_an_html_page_with_status_200_is_an_error(self, tmp_path, replay):
        page = replay.fixture("error-page.html")
        replay.on("sru:aanhangsel:1", Reply(body=page, headers={"Content-Type": "text/html"}))
        done = fetch(tmp_path / "corpus", replay)
        assert done.returncode == SERVICE_EXIT
        assert "HTML page" in done.stderr

    def test_xml_with_entity_declarations_is_refused(self, tmp_path, replay):
        bomb = (
            b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;">]>'
            b'<searchRetrieveResponse xmlns="http://docs.oasis-open.org/ns/search-ws/sruResponse">'
            b"<numberOfRecords>&b;</numberOfRecords></searchRetrieveResponse>"
        )
        replay.on("sru:aanhangsel:1", Reply(body=bomb))
        done = fetch(tmp_path / "corpus", replay)
        assert done.returncode == SERVICE_EXIT
        assert "document type declaration" in done.stderr

    def test_a_service_that_cannot_be_reached(self, tmp_path):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        done = run_cli(
            "fetch", "--corpus", str(tmp_path / "c"), "--sru-url", f"http://127.0.0.1:{port}/sru", "--retries", "0"
        )
        assert done.returncode == SERVICE_EXIT
        assert len(done.stderr.strip().splitlines()) == 1 and "cannot connect" in done.stderr

    def test_429_then_success_waits_as_asked(self, tmp_path, archive):
        page = archive.routes["sru:aanhangsel:1"][0]
        archive.on("sru:aanhangsel:1", Reply(429, headers={"Retry-After": "4"}), page)
        started = time.monotonic()
        done = fetch(tmp_path / "corpus", archive)
        assert done.returncode == 0, done.stderr
        assert time.monotonic() - started >= 4
        assert archive.count("sru:aanhangsel:1") == 2
        assert counts(done)["new"] == 3

    def test_503_on_a_document_then_success(self, tmp_path, archive):
        path = document_path("ah-tk-20232024-1893", "pdf")
        archive.on(path, Reply(503, b"<html>busy</html>", {"Retry-After": "0"}), *archive.routes[path])
        done = fetch(tmp_path / "corpus", archive)
        assert done.returncode == 0, done.stderr
        assert archive.count(path) == 2
        assert (tmp_path / "corpus" / "ah-tk-20232024-1893.pdf").read_bytes() == archive.fixture(
            "ah-tk-20232024-1893.pdf"
        )

    def test_a_timeout_is_tried_again(self, tmp_path, archive):
        page = archive.routes["sru:aanhangsel:1"][0]
        archive.on("sru:aanhangsel:1", Reply(body=page.body, delay=3), page)
        done = fetch(tmp_path / "corpus", archive, "--timeout", "1")
        assert done.returncode == 0, done.stderr
        assert archive.count("sru:aanhangsel:1") == 2

    def test_a_truncated_document_is_fetched_again_and_never_lands_cut(self, tmp_path, archive):
        path = document_path("ah-tk-20232024-1893", "pdf")
        whole = archive.routes[path][0]
        archive.on(path, Reply(body=whole.body, cut=True), whole)
        done = fetch(tmp_path / "corpus", archive)
        assert done.returncode == 0, done.stderr
        assert archive.count(path) == 2
        assert (tmp_path / "corpus" / "ah-tk-20232024-1893.pdf").read_bytes() == whole.body

    def test_a_document_that_keeps_failing_is_tried_next_run_and_holds_the_watermark(self, tmp_path, archive):
        corpus = tmp_path / "corpus"
        path = document_path("ah-1251487", "pdf", "ah/onopgemaakt")
        whole = archive.routes[path][0]
        archive.on(path, Reply(500, headers={"Retry-After": "0"}))
        done = fetch(corpus, archive, "--retries", "1")
        assert done.returncode == 6, done.stderr
        assert counts(done)["failed"] == {"gone": 1, "unavailable": 1}
        assert counts(done)["watermark"] is None
        assert "ah-1251487" in done.stderr and "HTTP 500" in done.stderr
        archive.on(path, whole)
        again = fetch(corpus, archive)
        assert again.returncode == 0, again.stderr
        assert (counts(again)["new"], counts(again)["unchanged"]) == (1, 3)
        assert (corpus / "ah-1251487.pdf").read_bytes() == whole.body
        assert counts(again)["watermark"] == date.today().isoformat()

    def test_a_link_that_is_not_http_is_refused_once_not_retried_every_night(self, tmp_path, archive):
        page = archive.routes["sru:aanhangsel:1"][0]
        link = f"{archive.base}{document_path('ah-1251487', 'pdf', 'ah/onopgemaakt')}".encode()
        page.body = page.body.replace(link, b"file:///etc/passwd")
        done = fetch(tmp_path / "corpus", archive)
        assert done.returncode == 0, done.stderr
        assert counts(done)["failed"] == {"gone": 1, "refused": 1}
        assert "not http(s)" in done.stderr
        assert counts(fetch(tmp_path / "corpus", archive))["failed"] == {}

    def test_an_identifier_that_is_not_a_file_name_is_refused(self, tmp_path, archive):
        page = archive.routes["sru:aanhangsel:1"][0]
        page.body = page.body.replace(b">ah-1251487</dcterms:identifier>", b">../../escaped</dcterms:identifier>")
        done = fetch(tmp_path / "corpus", archive)
        assert counts(done)["failed"] == {"gone": 1, "refused": 1}
        assert "unusable identifier" in done.stderr
        # refused every time: it must not hold back the run's outcome or the watermark
        assert done.returncode == 0 and counts(done)["watermark"] == date.today().isoformat()
        assert not list(tmp_path.rglob("escaped*"))


class TestIncremental:
    def test_unchanged_documents_are_never_downloaded_again_and_a_changed_one_is(self, tmp_path, archive):
        corpus = tmp_path / "corpus"
        assert fetch(corpus, archive).returncode == 0
        archive.requests.clear()
        archive.queries.clear()
        again = fetch(corpus, archive)
        assert again.returncode == 0, again.stderr
        assert (counts(again)["new"], counts(again)["changed"], counts(again)["unchanged"]) == (0, 0, 4)
        assert [key for key in archive.requests if not key.startswith("sru:")] == []
        overlap = (date.today() - timedelta(days=7)).isoformat()
        assert all(f"dt.modified>={overlap}" in q for q in archive.queries)

        page = archive.routes["sru:aanhangsel:1"][0]
        page.body = page.body.replace(b"2024-02-21T09:12:44.118243+01:00", b"2024-03-04T10:00:00.000000+01:00")
        changed = fetch(corpus, archive)
        assert (counts(changed)["changed"], counts(changed)["unchanged"]) == (1, 3)
        assert archive.count(document_path("ah-tk-20232024-1076", "xml")) == 1
        assert archive.count(document_path("ah-1251487", "pdf", "ah/onopgemaakt")) == 0

    def test_a_pdf_only_answer_that_gains_its_xml_is_replaced_not_doubled(self, tmp_path, archive):
        corpus = tmp_path / "corpus"
        fetch(corpus, archive)
        group = "ah/onopgemaakt"
        pdf_link = f'<gzd:itemUrl manifestation="pdf">{archive.base}{document_path("ah-1251487", "pdf", group)}'
        xml_link = f'<gzd:itemUrl manifestation="xml">{archive.base}{document_path("ah-1251487", "xml", group)}'
        page = archive.routes["sru:aanhangsel:1"][0]
        page.body = page.body.replace(b"2026-06-02T16:40:03.551102+02:00", b"2026-07-01T09:00:00.000000+02:00").replace(
            pdf_link.encode(), f"{xml_link}</gzd:itemUrl>{pdf_link}".encode()
        )
        xml = archive.fixture("ah-tk-20232024-1076.xml").replace(b"ah-tk-20232024-1076", b"ah-1251487")
        archive.on(document_path("ah-1251487", "xml", group), Reply(body=xml))
        again = fetch(corpus, archive)
        assert counts(again)["changed"] == 1, again.stderr
        assert "ah-1251487.xml" in visible_files(corpus) and "ah-1251487.pdf" not in visible_files(corpus)

    def test_a_document_deleted_from_the_corpus_is_fetched_again(self, tmp_path, archive):
        corpus = tmp_path / "corpus"
        fetch(corpus, archive)
        (corpus / "ah-1251487.pdf").unlink()
        again = fetch(corpus, archive)
        assert counts(again)["new"] + counts(again)["changed"] == 1
        assert (corpus / "ah-1251487.pdf").is_file()

    def test_kill_9_in_the_middle_then_a_rerun_completes(self, tmp_path, archive):
        corpus = tmp_path / "corpus"
        stalled = document_path("ah-1251487", "pdf", "ah/onopgemaakt")
        whole = archive.routes[stalled][0]
        archive.on(stalled, Reply(body=whole.body, delay=60))
        args = ["fetch", "--corpus", str(corpus), "--sru-url", archive.sru_url, "--rate", "100", "--timeout", "120"]
        process = subprocess.Popen([sys.executable, "-m", "kvsearch", *args], cwd=ROOT, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 60
            while stalled not in archive.requests and time.monotonic() < deadline:
                time.sleep(0.05)
            assert stalled in archive.requests
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait()
        assert visible_files(corpus) == ["ah-tk-20232024-1076.xml"]
        assert (corpus / "ah-tk-20232024-1076.xml").read_bytes() == archive.fixture("ah-tk-20232024-1076.xml")
        # what a kill during a write leaves: a hidden temporary file, never the document's name
        leftover = corpus / ".ah-1251487.pdf.part-99999"
        leftover.write_bytes(whole.body[:100])

        archive.on(stalled, whole)
        done = fetch(corpus, archive)
        assert done.returncode == 0, done.stderr
        assert (counts(done)["new"], counts(done)["unchanged"]) == (2, 1)
        assert visible_files(corpus) == FETCHED
        assert not leftover.exists()
        assert archive.count(document_path("ah-tk-20232024-1076", "xml")) == 1


class TestUsage:
    @pytest.mark.parametrize(
        ("option", "value"),
        [
            ("--since", "2024-13-01"),
            ("--vergaderjaar", "2023-2025"),
            ("--vergaderjaar", "2024-2025..2023-2024"),
            ("--sru-url", "file:///etc/passwd"),
        ],
    )
    def test_a_bad_date_or_year_is_a_usage_error_naming_it(self, tmp_path, option, value):
        done = run_cli("fetch", "--corpus", str(tmp_path / "c"), option, value)
        assert done.returncode == 2
        assert len(done.stderr.strip().splitlines()) == 1 and value in done.stderr

    def test_fetch_is_a_command_not_a_search(self):
        done = run_cli("fetch", "--help")
        assert done.returncode == 0
        assert "--sru-url" in done.stdout and "--vergaderjaar" in done.stdout
        assert "kvsearch fetch" in (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.slow
def test_index_and_search_find_every_fetched_document(tmp_path, archive):
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    assert fetch(corpus, archive).returncode == 0
    built = run_cli("index", "--corpus", str(corpus), "--index", str(index))
    assert built.returncode == 0, built.stderr
    assert ".kvsearch-fetch" not in built.stderr
    for query, document in [
        ("Sinterklaasintochten", "ah-tk-20232024-1076"),
        ("Corendon", "ah-tk-20232024-1893"),
        ("Klarna incassokosten", "1251487"),
    ]:
        found = run_cli("search", query, "--index", str(index), "--json")
        assert found.returncode == 0, (query, found.stderr)
        assert document in json.loads(found.stdout.splitlines()[0])["doc_id"]


def test_a_document_lands_after_its_metadata(tmp_path, archive, monkeypatch):
    """An index build that runs during a fetch reads a document with the metadata it came with."""
    from kvsearch.fetch import fetch as fetch_into
    from kvsearch.fetch.store import Store

    landed: list[str] = []
    land = Store.land

    def watched(store: Store, relative: str, data: bytes) -> None:
        landed.append(relative)
        land(store, relative, data)

    monkeypatch.setattr(Store, "land", watched)
    report = fetch_into(tmp_path / "corpus", sru_url=archive.sru_url, rate=100)
    assert report.new == len(FETCHED)
    for name in FETCHED:
        identifier = name.rpartition(".")[0]
        sidecars = [landed.index(f".kvsearch-fetch/metadata/{identifier}.record.xml")]
        if f".kvsearch-fetch/metadata/{identifier}.xml" in landed:
            sidecars.append(landed.index(f".kvsearch-fetch/metadata/{identifier}.xml"))
        assert landed.index(name) > max(sidecars), landed


def test_fetching_loads_no_index_or_interface_framework():
    code = "import sys, kvsearch.fetch; print(' '.join(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(done.stdout.split())
    assert "kvsearch.fetch.sru" in loaded
    for framework in ("whoosh", "textual", "typer"):
        assert framework not in loaded


def test_record_keeps_every_answer_of_the_service(tmp_path, archive):
    record = tmp_path / "record"
    done = fetch(tmp_path / "corpus", archive, "--record", str(record))
    assert done.returncode == 0, done.stderr
    listing = [line.split("\t") for line in (record / "requests.tsv").read_text().splitlines()]
    assert len(listing) == counts(done)["requests"]
    by_url = {url: (record / name).read_bytes() for name, status, url in listing if status == "200"}
    assert by_url[archive.base + document_path("ah-1251487", "pdf", "ah/onopgemaakt")] == archive.fixture(
        "ah-1251487.pdf"
    )
    pages = [body for url, body in by_url.items() if "/sru?" in url]
    assert archive.fixture("aanhangsel-page-2.xml") in pages and archive.fixture("empty.xml") in pages


@pytest.mark.slow
def test_a_question_and_its_later_answer_both_land_and_are_found(tmp_path, replay):
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    question, answer = "kv-tk-2024Z00123", "ah-tk-20232024-1100"
    replay.on("sru:zonder-antwoord:1", Reply(body=replay.fixture("zonder-antwoord-page-1.xml")))
    replay.on("sru:aanhangsel:1", Reply(body=replay.fixture("empty.xml")))
    replay.on(document_path(question, "xml", "kv-tk/2024Z00123"), Reply(body=replay.fixture(f"{question}.xml")))
    first = fetch(corpus, replay)
    assert (first.returncode, counts(first)["new"]) == (0, 1), first.stderr
    assert visible_files(corpus) == [f"{question}.xml"]

    replay.on("sru:aanhangsel:1", Reply(body=replay.fixture("aanhangsel-later-answer.xml")))
    replay.on(document_path(answer, "xml"), Reply(body=replay.fixture(f"{answer}.xml")))
    later = fetch(corpus, replay)
    assert (later.returncode, counts(later)["new"], counts(later)["unchanged"]) == (0, 1, 1), later.stderr
    assert visible_files(corpus) == [f"{answer}.xml", f"{question}.xml"]

    built = run_cli("index", "--corpus", str(corpus), "--index", str(index))
    assert built.returncode == 0, built.stderr
    # The answer's metadata names the questions' Kamer number: they are one document, found as the answer.
    assert f"{question}.xml: duplicate of {answer}" in built.stderr
    found = run_cli("search", "wachtlijsten", "--index", str(index), "--json")
    assert {json.loads(line)["doc_id"] for line in found.stdout.splitlines()} == {answer}


def test_a_second_fetch_into_the_same_corpus_is_refused(tmp_path, archive):
    import fcntl

    corpus = tmp_path / "corpus"
    (corpus / ".kvsearch-fetch").mkdir(parents=True)
    with open(corpus / ".kvsearch-fetch" / "lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        done = fetch(corpus, archive)
    assert done.returncode == 75
    assert "another kvsearch fetch" in done.stderr
    assert archive.requests == []


def serve_one_question(replay: Replay) -> None:
    replay.on("sru:zonder-antwoord:1", Reply(body=replay.fixture("zonder-antwoord-page-1.xml")))
    replay.on("sru:aanhangsel:1", Reply(body=replay.fixture("empty.xml")))
    path = document_path("kv-tk-2024Z00123", "xml", "kv-tk/2024Z00123")
    replay.on(path, Reply(body=replay.fixture("kv-tk-2024Z00123.xml")))


def test_silent_under_cron_when_all_went_well(tmp_path, replay):
    serve_one_question(replay)
    args = ("fetch", "--corpus", str(tmp_path / "corpus"), "--sru-url", replay.sru_url, "--rate", "100")
    done = run_cli(*args)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert (tmp_path / "corpus" / "kv-tk-2024Z00123.xml").is_file()


def test_progress_and_a_summary_on_a_terminal(tmp_path, replay):
    import pty

    serve_one_question(replay)
    controller, terminal = pty.openpty()
    args = ["fetch", "--corpus", str(tmp_path / "corpus"), "--sru-url", replay.sru_url, "--rate", "100"]
    with subprocess.Popen(
        [sys.executable, "-m", "kvsearch", *args], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=terminal
    ) as process:
        os.close(terminal)
        shown = b""
        while True:
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # the terminal closed: the process is done
                break
            if not chunk:
                break
            shown += chunk
        assert process.wait(timeout=60) == 0
    os.close(controller)
    text = shown.decode("utf-8", "replace")
    assert "fetch: 1/1 documents" in text
    assert "1 listed, 1 new, 0 changed, 0 unchanged; failed: none" in text
