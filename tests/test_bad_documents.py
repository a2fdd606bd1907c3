"""Hostile and odd corpus files through the real ``kvsearch index`` and ``kvsearch parse``:
damaged, encrypted and bomb PDFs, stray NUL bytes, high question numbers, byte-identical
copies and thousands of bad files."""

from __future__ import annotations

import json
import os
import random
import re
import struct
import zipfile
import zlib
from pathlib import Path

import pytest

from tests.conftest import SAMPLE_CORPUS, SHARED_CORPUS, run_cli

SEED = (SAMPLE_CORPUS / "ah-tk-20232024-1064.md").read_text(encoding="utf-8")
OFFICIAL_PDF = SHARED_CORPUS / "official-pdf" / "00fe7edd-24c8-4857-98da-774ed3b06836.pdf"

#: A small questions document without an official id (its id comes from the file name).
NO_ID = (
    "Vragen van het lid Jansen (SP) aan de Minister van Financiën over belastingen "
    "(ingezonden 3 maart 2024).\n\nVraag 1\n\nWaarom stijgen de belastingen?\n\n"
    "Antwoord 1\n\nOmdat de uitgaven stijgen.\n"
)


def index_json(corpus: Path, index: Path, *extra: str) -> tuple[dict, str, int]:
    done = run_cli("index", "--corpus", str(corpus), "--index", str(index), "--json", *extra)
    assert "Traceback" not in done.stderr
    return json.loads(done.stdout), done.stderr, done.returncode


def skipped(report: dict) -> dict[str, str]:
    return {p["path"]: p["message"] for p in report["skipped"]}


# --------------------------------------------------------------------------------------------
# PDFs written byte by byte


def pdf_file(objects: list[bytes]) -> bytes:
    """A PDF of ``objects`` (numbered from 1, the first the catalog) with a correct xref table."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def one_page_pdf(content: bytes, filters: bytes = b"") -> bytes:
    """A one-page PDF whose page shows the content stream ``content`` (already encoded)."""
    stream = b"<< /Length %d %s >>\nstream\n%s\nendstream" % (len(content), filters, content)
    return pdf_file(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
            b" /Resources << /Font << /F1 5 0 R >> >> >>",
            stream,
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
    )


def flate_bomb(megabytes: int) -> bytes:
    """A page whose content stream inflates to ``megabytes`` MB of spaces (a file of ~1/1000th).

    After a full flush the compressor starts afresh, so every further megabyte compresses to
    the same bytes: they are repeated instead of compressed again, then the zlib stream is
    closed by hand (an empty final block and the Adler-32 of all the spaces)."""
    spaces = b" " * (1 << 20)
    packer = zlib.compressobj(9)
    first = packer.compress(spaces) + packer.flush(zlib.Z_FULL_FLUSH)  # with the zlib header
    again = packer.compress(spaces) + packer.flush(zlib.Z_FULL_FLUSH)
    checksum = 1
    for _ in range(megabytes):
        checksum = zlib.adler32(spaces, checksum)
    packed = first + again * (megabytes - 1) + b"\x03\x00" + struct.pack(">I", checksum)
    return one_page_pdf(packed, b"/Filter /FlateDecode")


def without_xref(pdf: bytes) -> bytes:
    """A real PDF cut off before its xref table, trailer and startxref."""
    return pdf[: pdf.rindex(b"\nxref\n") + 1] + b"%%EOF\n"


def with_trailer_entry(pdf: bytes, entry: bytes) -> bytes:
    return pdf.replace(b"/Root 3 0 R", b"/Root 3 0 R\n" + entry, 1)


@pytest.fixture()
def good_corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.md").write_text(SEED, encoding="utf-8")
    return corpus


@pytest.mark.corpus
@pytest.mark.skipif(not OFFICIAL_PDF.is_file(), reason="shared corpus PDF not found")
def test_damaged_and_encrypted_pdfs_are_skipped_with_their_reason(good_corpus: Path, tmp_path: Path) -> None:
    real = OFFICIAL_PDF.read_bytes()
    (good_corpus / "no-xref.pdf").write_bytes(without_xref(real)[: len(real) // 2])
    # An /Encrypt dictionary without the keys to decrypt with: PDFium asks for a password.
    (good_corpus / "encrypted.pdf").write_bytes(
        with_trailer_entry(real, b"/Encrypt << /Filter /Standard /V 2 /R 3 /Length 128 /P -4 >>")
    )
    # /Encrypt pointing at an object that is no encryption dictionary.
    (good_corpus / "bad-encrypt.pdf").write_bytes(with_trailer_entry(real, b"/Encrypt 21 0 R"))
    # A page tree that holds itself: the second page cannot be loaded.
    (good_corpus / "looped-pages.pdf").write_bytes(
        pdf_file(
            [
                b"<< /Type /Catalog /Pages 2 0 R >>",
                b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
            ]
        )
    )
    # Text made of control characters only: nothing is left once they are removed.
    (good_corpus / "control-text.pdf").write_bytes(one_page_pdf(b"BT /F1 12 Tf 72 700 Td (\x01\x04\x05\x06) Tj ET"))
    # An /Encrypt reference to an object that does not exist: PDFium reads the text anyway.
    (good_corpus / "encrypt-missing.pdf").write_bytes(with_trailer_entry(real, b"/Encrypt 99 0 R"))

    report, stderr, code = index_json(good_corpus, tmp_path / "index")

    assert code == 6
    reasons = skipped(report)
    assert reasons["no-xref.pdf"].startswith("damaged PDF: ")
    assert reasons["encrypted.pdf"] == "encrypted PDF (needs a password)"
    assert reasons["bad-encrypt.pdf"].startswith("encrypted PDF")
    assert reasons["looped-pages.pdf"].startswith("damaged PDF: page 2 ")
    assert reasons["control-text.pdf"] == "PDF has no text layer (scanned image?)"
    assert "encrypt-missing.pdf" not in reasons
    assert report["documents"] == 2  # good.md and the readable encrypt-missing.pdf
    for name in reasons:
        assert sum(line.endswith(f"kvsearch: {name}: {reasons[name]}") for line in stderr.splitlines()) == 1


def test_pdf_bomb_is_skipped_as_damaged_not_an_internal_error(good_corpus: Path, tmp_path: Path) -> None:
    # More than the PDF worker's 1 GB address space once inflated: PDFium aborts the worker.
    (good_corpus / "bomb.pdf").write_bytes(flate_bomb(1200))
    (good_corpus / "after.md").write_text(SEED.replace("1064", "1070"), encoding="utf-8")

    report, stderr, code = index_json(good_corpus, tmp_path / "index")

    assert code == 6
    assert skipped(report) == {"bomb.pdf": skipped(report)["bomb.pdf"]}
    assert skipped(report)["bomb.pdf"].startswith("damaged PDF: the PDF reader crashed")
    assert "internal error" not in stderr and "KeyError" not in stderr
    assert report["documents"] == 2  # the worker was replaced: the next file is still read


# --------------------------------------------------------------------------------------------
# NUL bytes


def png_of_noise(side: int) -> bytes:
    """A real PNG of random pixels: compressed data, in which NUL bytes are rare."""
    noise = random.Random(7)
    rows = b"".join(b"\x00" + bytes(noise.randrange(256) for _ in range(side * 3)) for _ in range(side))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def test_a_few_nul_bytes_do_not_make_text_binary_but_real_binaries_stay_binary(
    good_corpus: Path, tmp_path: Path
) -> None:
    text = SEED.replace("1064", "1080")
    middle = len(text) // 2
    (good_corpus / "nuls.md").write_bytes(
        b"\x00" + text[:middle].encode("utf-8") + b"\x00\x00" + text[middle:].encode("utf-8") + b"\x00"
    )
    png = png_of_noise(96)
    assert png.count(0) < len(png) * 0.01  # so that only the control-character rule can catch it
    (good_corpus / "picture.txt").write_bytes(png)
    archive = tmp_path / "archive.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as packed:
        packed.writestr("a.md", SEED)
        packed.writestr("b.bin", os.urandom(4000))
    (good_corpus / "archive.txt").write_bytes(archive.read_bytes())
    (good_corpus / "nul-heavy.md").write_bytes(b"Vraag 1\x00\x00\x00 dit is geen tekst\x00")

    parsed = run_cli("parse", str(good_corpus / "nuls.md"), "--json")
    assert parsed.returncode == 0, parsed.stderr
    document = json.loads(parsed.stdout)
    assert document["doc_id"] == "ah-tk-20232024-1080"
    assert "\x00" not in parsed.stdout and "\\u0000" not in parsed.stdout
    assert [p["questions"] for p in document["passages"]] == [p["questions"] for p in _seed_passages()]

    report, _stderr, code = index_json(good_corpus, tmp_path / "index")
    assert code == 6
    reasons = skipped(report)
    assert set(reasons) == {"picture.txt", "archive.txt", "nul-heavy.md"}
    assert all(message.startswith("binary file") for message in reasons.values())
    assert report["documents"] == 2


def _seed_passages() -> list[dict]:
    done = run_cli("parse", str(SAMPLE_CORPUS / "ah-tk-20232024-1064.md"), "--json")
    return json.loads(done.stdout)["passages"]


# --------------------------------------------------------------------------------------------
# Question numbers


def test_question_numbers_of_four_digits_are_headings(tmp_path: Path) -> None:
    document = tmp_path / "veel-vragen.md"
    document.write_text(
        "Vragen van het lid Jansen (SP) aan de Minister van Financiën over belastingen "
        "(ingezonden 3 maart 2024).\n\n"
        "Vraag 1000\n\nHoeveel belasting werd er geïnd\nin 2024\nen hoeveel in 2023?\n\n"
        "Vraag 1234 en 1235\n\nWaarom?\n\nWanneer?\n\n"
        "Antwoord 1000\n\nDat staat in de begroting\n2024 van het ministerie.\n\n"
        "Antwoord 1234 en 1235\n\nDaarom, en morgen.\n",
        encoding="utf-8",
    )

    done = run_cli("parse", str(document), "--json")

    assert done.returncode == 0, done.stderr
    passages = json.loads(done.stdout)["passages"]
    assert [p["questions"] for p in passages] == [[1000], [1234, 1235]]
    first = passages[0]
    # A year at the start of a line, or after "in", stays text of its question or answer.
    assert re.search(r"geïnd\s+in 2024\s+en hoeveel in 2023\?", first["question"])
    assert re.search(r"begroting\s+2024\s+van het ministerie", first["answer"])
    assert passages[1]["answer"].startswith("Daarom")


# --------------------------------------------------------------------------------------------
# Byte-identical copies


def test_byte_identical_files_without_an_id_are_kept_once(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "belastingen.md").write_text(NO_ID, encoding="utf-8")
    (corpus / "kopie van belastingen.md").write_text(NO_ID, encoding="utf-8")
    (corpus / "anders.md").write_text(NO_ID.replace("Waarom", "Hoezo"), encoding="utf-8")
    index = tmp_path / "index"

    first, stderr, code = index_json(corpus, index)

    assert code == 0
    assert first["documents"] == 2
    assert [p["path"] for p in first["duplicates"]] == ["kopie van belastingen.md"]
    assert "duplicate of file-belastingen (belastingen.md); kept once" in stderr
    # The next build takes the unchanged files from the records: still one, and a new copy too.
    (corpus / "nog een kopie.md").write_text(NO_ID, encoding="utf-8")
    second, _stderr, _code = index_json(corpus, index)
    assert (second["documents"], second["added"]) == (2, 1)
    assert sorted(p["path"] for p in second["duplicates"]) == ["kopie van belastingen.md", "nog een kopie.md"]
    found = run_cli("show", "file-belastingen", "--index", str(index), "--json")
    assert found.returncode == 0 and "Waarom stijgen" in found.stdout


# --------------------------------------------------------------------------------------------
# Many bad files


@pytest.mark.parametrize("mode", ["--quiet", "--json"])
def test_many_bad_files_are_summarised_on_stderr(good_corpus: Path, tmp_path: Path, mode: str) -> None:
    for number in range(300):
        (good_corpus / f"leeg-{number:04d}.txt").write_bytes(b"")
    (good_corpus / "zzz-binary.txt").write_bytes(b"\x00\x01\x02binary")
    index = tmp_path / "index"

    done = run_cli("index", "--corpus", str(good_corpus), "--index", str(index), mode)

    assert done.returncode == 6
    lines = done.stderr.splitlines()
    assert len(lines) == 11
    assert all(line.endswith(f"leeg-{n:04d}.txt: empty file") for n, line in enumerate(lines[:10]))
    summary = "… and 291 more: 291 skipped (290 empty file, 1 binary file) (all of them: kvsearch status --json)"
    assert lines[10].endswith(summary)
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d ", lines[10])  # stamped like every cron line
    status = json.loads(run_cli("status", "--index", str(index), "--json").stdout)
    assert len(status["last_build"]["report"]["skipped"]) == 301
    assert status["last_build"]["exit_code"] == 6
    if mode == "--json":
        assert len(json.loads(done.stdout)["skipped"]) == 301
