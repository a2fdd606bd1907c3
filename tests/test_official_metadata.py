"""The metadata ``kvsearch fetch`` keeps beside a document wins over what the parser guesses from its text.

``corpus/.kvsearch-fetch/metadata/<id>.xml`` (the service's ``metadata.xml``) and ``<id>.record.xml`` (its
SRU record) name the askers, the parliamentary year, the Kamer's number of the questions, the dates and the
kind; the text fills only what they lack (an asker's party, the addressees, the subject)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import DATA, run_cli
from tests.fetch_replay import Replay, serve_archive

SRU = DATA / "sru"
METADATA = Path(".kvsearch-fetch") / "metadata"


def fetch(corpus: Path, replay: Replay) -> subprocess.CompletedProcess[str]:
    return run_cli("fetch", "--corpus", str(corpus), "--sru-url", replay.sru_url, "--rate", "100", "--json")


def shown(index: Path, doc_id: str) -> dict:
    done = run_cli("show", doc_id, "--index", str(index), "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[0])


def parsed(path: Path) -> tuple[dict, str]:
    done = run_cli("parse", str(path), "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout), done.stderr


@pytest.fixture
def fetched_index(tmp_path: Path) -> Path:
    """The replay's documents fetched by the real ``kvsearch fetch`` and indexed by ``kvsearch index``."""
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    replay = Replay()
    try:
        serve_archive(replay)
        assert fetch(corpus, replay).returncode == 0
    finally:
        replay.close()
    done = run_cli("index", "--corpus", str(corpus), "--index", str(index))
    assert done.returncode == 0, done.stderr
    assert "metadata" not in done.stderr  # every sidecar the fetch kept is read without a warning
    return index


def test_fetched_documents_take_askers_year_and_question_number_from_their_metadata(fetched_index: Path) -> None:
    new = shown(fetched_index, "ah-1251487")  # metadata.xml and record; no id, number or reference in its text
    assert new["askers"] == [{"name": "D.G. Ceder", "party": "ChristenUnie"}]  # the party only the text has
    assert (new["year"], new["reference"], new["date_answered"]) == ("2025-2026", "2026Z08811", "2026-06-02")
    assert new["kind"] == "antwoord"

    official = shown(fetched_index, "ah-tk-20232024-1076")
    assert official["askers"] == [{"name": "W.S. van Haga", "party": "Groep Van Haga"}]
    assert (official["number"], official["reference"]) == ("1076", "2023Z18233")

    record_only = shown(fetched_index, "ah-tk-20232024-1893")  # the service gave no metadata.xml: the record
    assert record_only["reference"] == "2024Z07032"


def test_metadata_wins_over_what_the_text_says(tmp_path: Path) -> None:
    """A real answer's PDF with the real metadata of another answer: every field the metadata has is
    the metadata's; the text keeps what the metadata does not say."""
    (tmp_path / METADATA).mkdir(parents=True)
    shutil.copyfile(SRU / "ah-tk-20232024-1076.pdf", tmp_path / "ah-1251487.pdf")
    shutil.copyfile(SRU / "metadata-ah-1251487.xml", tmp_path / METADATA / "ah-1251487.xml")
    document, warnings = parsed(tmp_path / "ah-1251487.pdf")
    assert warnings == ""
    assert document["askers"] == [{"name": "D.G. Ceder", "party": None}]  # the text's asker is someone else
    assert document["year"] == "2025-2026"  # the text says 2023-2024
    assert document["date_answered"] == "2026-06-02"  # the text says 2024-02-20
    assert document["reference"] == "2026Z08811"
    assert document["date_submitted"] == "2023-11-20"  # the metadata has no submission date: the text's
    assert document["title"] == "het afgelasten van diverse Sinterklaasintochten"


def test_the_one_asked_answers_when_the_text_names_no_one(tmp_path: Path) -> None:
    """``OVERHEIDop.ontvanger`` ("E. Heinen") is the answerer of a text that names none; a text that
    names its answerer keeps it, with the role and ministry only the text has."""
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    (corpus / METADATA).mkdir(parents=True)
    shutil.copyfile(SRU / "metadata-ah-1251487.xml", corpus / METADATA / "ah-1251487.xml")
    (corpus / "ah-1251487.txt").write_text(
        "Vragen van het lid Ceder over Klarna.\n\nVraag 1\nBent u bekend met de uitspraak van het Kifid?\n\n"
        "Antwoord 1\nJa, ik ben bekend met de uitspraak over Klarna.\n",
        encoding="utf-8",
    )
    document, warnings = parsed(corpus / "ah-1251487.txt")
    assert warnings == ""
    assert document["answered_by"] == {"name": "E. Heinen", "party": None, "role": None, "ministry": None}
    assert document["addressees"] == []
    assert run_cli("index", "--corpus", str(corpus), "--index", str(index)).returncode == 0
    found = run_cli("search", "Klarna minister:Heinen", "--index", str(index), "--format", "{passage_id} {minister}")
    assert found.stdout.splitlines() == ["ah-1251487#1 E. Heinen"], found.stderr

    shutil.copyfile(SRU / "ah-1251487.pdf", corpus / "ah-1251487.pdf")
    (corpus / "ah-1251487.txt").unlink()
    named = parsed(corpus / "ah-1251487.pdf")[0]["answered_by"]
    assert (named["name"], named["role"], named["ministry"]) == ("Heinen", "Minister", "Financien")


def test_a_notice_is_a_notice_when_its_metadata_says_so(tmp_path: Path) -> None:
    (tmp_path / METADATA).mkdir(parents=True)
    shutil.copyfile(SRU / "ah-1251487.pdf", tmp_path / "ah-1251487.pdf")
    metadata = (SRU / "metadata-ah-1251487.xml").read_text(encoding="utf-8")
    notice = metadata.replace('content="Antwoord"', 'content="Mededeling"')
    assert notice != metadata
    (tmp_path / METADATA / "ah-1251487.xml").write_text(notice, encoding="utf-8")
    assert parsed(tmp_path / "ah-1251487.pdf")[0]["kind"] == "mededeling"


@pytest.mark.parametrize(
    "sidecar",
    [
        b"<metadata_gegevens><metadata name=",  # cut short
        b'<!DOCTYPE x [<!ENTITY e "ChristenUnie">]><metadata_gegevens/>',  # entities are refused
        (SRU / "metadata-ah-tk-20232024-1076.xml").read_bytes(),  # the metadata of another document
    ],
    ids=["broken", "doctype", "other-document"],
)
def test_a_bad_sidecar_is_one_warning_naming_it_and_the_text_is_used(tmp_path: Path, sidecar: bytes) -> None:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    (corpus / METADATA).mkdir(parents=True)
    shutil.copyfile(SRU / "ah-1251487.pdf", corpus / "ah-1251487.pdf")
    (corpus / METADATA / "ah-1251487.xml").write_bytes(sidecar)

    document, warnings = parsed(corpus / "ah-1251487.pdf")
    assert len(warnings.splitlines()) == 1
    assert ".kvsearch-fetch/metadata/ah-1251487.xml" in warnings
    assert document["askers"] == [{"name": "Ceder", "party": "ChristenUnie"}]
    assert document["reference"] is None

    done = run_cli("index", "--corpus", str(corpus), "--index", str(index))
    assert done.returncode == 0, done.stderr
    assert ".kvsearch-fetch/metadata/ah-1251487.xml" in done.stderr
    assert shown(index, "ah-1251487")["askers"] == [{"name": "Ceder", "party": "ChristenUnie"}]


def test_a_document_fetched_again_with_new_metadata_only_is_parsed_again(tmp_path: Path) -> None:
    """A fetch writes a changed document's files anew, also when only its metadata changed."""
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    (corpus / METADATA).mkdir(parents=True)
    shutil.copyfile(SRU / "ah-1251487.pdf", corpus / "ah-1251487.pdf")
    metadata = (SRU / "metadata-ah-1251487.xml").read_text(encoding="utf-8")
    (corpus / METADATA / "ah-1251487.xml").write_text(metadata, encoding="utf-8")
    assert run_cli("index", "--corpus", str(corpus), "--index", str(index)).returncode == 0
    assert shown(index, "ah-1251487")["reference"] == "2026Z08811"

    corrected = metadata.replace("2026Z08811", "2026Z08812")
    (corpus / METADATA / "ah-1251487.xml").write_text(corrected, encoding="utf-8")
    shutil.copyfile(SRU / "ah-1251487.pdf", corpus / "ah-1251487.pdf")  # the same bytes, written again
    written = time.time() - 10  # before the build starts, as a fetch run before it
    os.utime(corpus / "ah-1251487.pdf", (written, written))
    done = run_cli("index", "--corpus", str(corpus), "--index", str(index))
    assert done.returncode == 0, done.stderr
    assert shown(index, "ah-1251487")["reference"] == "2026Z08812"
