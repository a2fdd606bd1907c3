"""The official XML of Kamervragen (``officiele-publicatie``/``kamervragen``) as a source format,
through the real ``kvsearch parse`` and ``kvsearch index``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.conftest import run_cli

SRU_DATA = Path(__file__).resolve().parent / "data" / "sru"


def parse_json(path: Path) -> dict:
    done = run_cli("parse", str(path), "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_questions_answers_and_footnotes_are_split_as_marked_up():
    document = parse_json(SRU_DATA / "ah-tk-20232024-1100.xml")
    assert (document["doc_id"], document["kind"], document["number"]) == ("ah-tk-20232024-1100", "antwoord", "1100")
    assert document["askers"] == [{"name": "Bikker", "party": "ChristenUnie"}]
    assert (document["date_submitted"], document["date_answered"]) == ("2024-01-04", "2024-02-26")
    assert document["title"] == "wachttijden in de jeugdzorg"
    first, grouped = document["passages"]
    assert first["questions"] == [1]
    assert first["question"] == "Hoe lang wachten kinderen gemiddeld op specialistische jeugdzorg?"
    assert first["answer"] == "De gemiddelde wachttijd verschilt sterk per vorm van zorg."
    assert first["notes"] == [
        "1 NOS, 3 januari 2024, «Wachtlijsten jeugdzorg groeien».",
        "2 Monitor wachttijden jeugdzorg 2023.",
    ]
    assert grouped["questions"] == [2, 3]  # "Antwoord 2 en 3" answers two questions asked apart
    assert "Haaglanden" in grouped["answer"] and "expertteam" in grouped["answer"]
    assert "Zo ja, op welke termijn?" in grouped["question"]
    assert "TWEEDE KAMER" not in json.dumps(document)


def test_unanswered_questions_with_bare_numbers():
    document = parse_json(SRU_DATA / "kv-tk-2024Z00123.xml")
    assert document["kind"] == "vragen"
    assert [p["questions"] for p in document["passages"]] == [[1], [2]]
    assert all(p["answer"] == "" for p in document["passages"])


def test_a_notice_instead_of_answers():
    document = parse_json(SRU_DATA / "ah-tk-20232024-1200.xml")
    assert document["kind"] == "mededeling"
    assert document["notice"].startswith("De vragen van het lid Bikker kunnen niet")


def test_xml_with_a_document_type_declaration_is_refused_naming_the_file(tmp_path):
    path = tmp_path / "ah-tk-20232024-1.xml"
    path.write_bytes(
        b'<?xml version="1.0"?><!DOCTYPE k [<!ENTITY x SYSTEM "http://127.0.0.1:9/x">]>'
        b"<officiele-publicatie><kamervragen><vraag><al>&x;</al></vraag></kamervragen></officiele-publicatie>"
    )
    done = run_cli("parse", str(path))
    assert done.returncode == 2
    assert str(path) in done.stderr and "document type declaration" in done.stderr


def test_other_xml_is_skipped_with_a_reason(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SRU_DATA / "ah-tk-20232024-1100.xml", corpus)
    shutil.copy(SRU_DATA / "metadata-ah-1251487.xml", corpus)
    done = run_cli("index", "--corpus", str(corpus), "--index", str(tmp_path / "index"))
    assert done.returncode == 6
    assert "metadata-ah-1251487.xml" in done.stderr and "not an official Kamervragen XML" in done.stderr
    found = run_cli("search", "expertteam", "--index", str(tmp_path / "index"), "--json")
    assert found.returncode == 0, found.stderr
    assert json.loads(found.stdout.splitlines()[0])["passage_id"] == "ah-tk-20232024-1100#2-3"


def test_reading_xml_loads_no_index_or_interface_framework():
    import subprocess
    import sys

    code = (
        "import sys; from kvsearch.ingest.sources import official_xml_text; "
        f"official_xml_text(open({str(SRU_DATA / 'ah-tk-20232024-1100.xml')!r}, 'rb').read()); "
        "print(' '.join(sorted(sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(done.stdout.split())
    assert "kvsearch.ingest.official_xml" in loaded
    for framework in ("whoosh", "textual", "typer", "kvsearch.fetch"):
        assert framework not in loaded
