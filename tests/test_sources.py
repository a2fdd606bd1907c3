"""Bad input: every broken file is reported in one line and skipped; the rest is processed."""

from __future__ import annotations

import codecs
import os
from pathlib import Path

import pytest

from kvsearch.errors import SourceError
from kvsearch.ingest import sources
from kvsearch.ingest.corpus import load_corpus
from kvsearch.ingest.sources import clean_text, decode_text, read_source
from tests.conftest import SAMPLE_CORPUS, run_cli

SEED = (SAMPLE_CORPUS / "ah-tk-20232024-1064.md").read_text(encoding="utf-8")


@pytest.fixture()
def messy_corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.md").write_text(SEED, encoding="utf-8")
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "blank.txt").write_bytes(b"  \n\n ")
    (corpus / "binary.txt").write_bytes(bytes(range(256)) * 20)
    (corpus / "nul.md").write_bytes(b"Vraag 1\x00\x00\x00 dit is geen tekst\x00")
    (corpus / "cp1252.txt").write_bytes(SEED.replace("1064", "1065").encode("cp1252"))
    (corpus / "utf16.txt").write_bytes(codecs.BOM_UTF16_LE + SEED.replace("1064", "1066").encode("utf-16-le"))
    (corpus / "nomarkers.txt").write_text("Een brief zonder vragen of antwoorden.\n", encoding="utf-8")
    (corpus / "mismatch.txt").write_text(
        "Vragen van het lid Jansen (SP) aan de Minister van Financiën over belastingen "
        "(ingezonden 3 maart 2024).\nVraag 1\nWaarom?\nVraag 2\nWanneer?\nVraag 3\nHoe?\n"
        "Antwoord 1\nDaarom.\nAntwoord 2\nMorgen.\n",
        encoding="utf-8",
    )
    (corpus / "fake.pdf").write_bytes(b"%PDF-1.4\n" + os.urandom(2000))
    (corpus / "notes.docx").write_bytes(b"PK\x03\x04")
    return corpus


def test_broken_files_are_reported_and_skipped(messy_corpus: Path) -> None:
    load = load_corpus(messy_corpus)
    ids = sorted(d.doc_id for d in load.documents)
    # good.md, its cp1252 and UTF-16 copies (distinct numbers) and the mismatched one survive
    assert "ah-tk-20232024-1064" in ids
    assert "ah-tk-20232024-1065" in ids or any("1065" in d.doc_id for d in load.documents)
    messages = {p.path: p.message for p in load.problems}
    assert messages["empty.txt"] == "empty file"
    assert messages["blank.txt"] == "empty file"
    assert "binary file" in messages["binary.txt"]
    assert "binary file" in messages["nul.md"]
    assert messages["nomarkers.txt"] == "no Vraag/Antwoord markers found"
    assert "damaged PDF" in messages["fake.pdf"]
    assert "question 3 has no answer" in messages["mismatch.txt"]
    assert any("notes.docx: unknown file type" in n for n in load.notices)
    for problem in load.problems:
        assert "\n" not in problem.line()


def test_cp1252_and_utf16_are_decoded(messy_corpus: Path) -> None:
    assert read_source(messy_corpus / "cp1252.txt").encoding == "cp1252"
    assert "Financiën" in read_source(messy_corpus / "cp1252.txt").text
    assert "Financiën" in read_source(messy_corpus / "utf16.txt").text
    assert decode_text(codecs.BOM_UTF8 + "één".encode())[0] == "één"
    assert decode_text("één".encode("utf-16-be"))[0] == "één"


def test_cli_build_goes_on_past_broken_files(messy_corpus: Path, tmp_path: Path) -> None:
    done = run_cli("index", "--corpus", str(messy_corpus), "--index", str(tmp_path / "index"))
    assert done.returncode == 6  # published, some files skipped
    assert "Traceback" not in done.stderr
    for name in ("empty.txt", "binary.txt", "nul.md", "nomarkers.txt", "fake.pdf"):
        assert sum(name in line for line in done.stderr.splitlines()) == 1, name
    assert run_cli("neutraliteit", "--index", str(tmp_path / "index")).returncode == 0


def test_parse_command_names_the_broken_file(messy_corpus: Path) -> None:
    done = run_cli("parse", str(messy_corpus / "binary.txt"), str(messy_corpus / "good.md"), "--json")
    assert done.returncode == 2
    assert "binary.txt: binary file" in done.stderr
    assert '"doc_id": "ah-tk-20232024-1064"' in done.stdout


def test_huge_file_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    big = tmp_path / "big.txt"
    big.write_text("Vraag 1\n" + "x" * 5000, encoding="utf-8")
    monkeypatch.setattr(sources, "MAX_TEXT_BYTES", 1000)
    with pytest.raises(SourceError, match="file too large"):
        read_source(big)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read a file without permissions")
def test_unreadable_file(tmp_path: Path) -> None:
    locked = tmp_path / "locked.txt"
    locked.write_text("Vraag 1\nWaarom?", encoding="utf-8")
    locked.chmod(0)
    with pytest.raises(SourceError, match="cannot read file"):
        read_source(locked)


def test_fifo_and_symlinks_are_not_followed(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.md").write_text(SEED, encoding="utf-8")
    os.mkfifo(corpus / "pipe.md")
    (corpus / "loop").symlink_to(corpus)
    (corpus / "outside.md").symlink_to(SAMPLE_CORPUS / "ah-tk-20232024-1064.md")
    load = load_corpus(corpus)
    assert [d.doc_id for d in load.documents] == ["ah-tk-20232024-1064"]
    notes = " ".join(load.notices)
    assert "pipe.md: not a regular file" in notes
    assert "loop: symbolic link" in notes and "outside.md: symbolic link" in notes


def test_untrusted_characters_are_removed() -> None:
    text = clean_text("Vraag 1\n\x1b]52;c;ZXZpbA==\x07Wat\u202e is \x9b2J dit\x00?\r\nKostic\u00b4 en Yes\u00b8ilgöz")
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text and "\x9b" not in text
    assert "\x00" not in text and "\r" not in text
    assert "Kostić" in text and "Yeşilgöz" in text


def test_pdf_line_end_hyphens() -> None:
    assert clean_text("regen\ufffeboogprovincie") == "regenboogprovincie"
    assert clean_text("CCS\ufffeprojecten") == "CCS-projecten"
    assert clean_text("Informatica\ufffeCWI") == "Informatica-CWI"
    assert clean_text("aanloop\ufffeen volloopverliezen") == "aanloop- en volloopverliezen"


def test_odd_file_names_are_reported_safely(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.md").write_text(SEED, encoding="utf-8")
    odd = os.fsencode(corpus) + b"/vraag_\xe9\nnieuwe regel\x1b[2J.txt"
    with open(odd, "wb") as handle:
        handle.write(b"Een brief zonder vragen.\n")
    done = run_cli("index", "--corpus", str(corpus), "--index", str(tmp_path / "index"))
    assert done.returncode == 6, done.stderr
    lines = [line for line in done.stderr.splitlines() if "vraag_" in line]
    assert len(lines) == 1
    assert "\\xe9\\nnieuwe regel" in lines[0] and "\x1b" not in lines[0]
    assert run_cli("neutraliteit", "--index", str(tmp_path / "index")).returncode == 0
