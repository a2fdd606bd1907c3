"""Turn a corpus file into clean text: decoding, PDF extraction, sanitising untrusted characters.

Knows nothing of questions, passages or Whoosh. Pages of a PDF are separated by a form feed
(``\\f``) so that the parser can tell where page furniture and footnotes are.
"""

from __future__ import annotations

import codecs
import errno
import os
import re
import stat
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kvsearch.errors import SourceError
from kvsearch.ingest.safe_text import UNSAFE

#: File extensions kvsearch reads, by format name.
FORMATS = {".md": "md", ".markdown": "md", ".txt": "txt", ".text": "txt", ".pdf": "pdf", ".xml": "xml"}

#: Larger files are skipped: no real Kamervragen document comes near these sizes.
MAX_TEXT_BYTES = 20 * 1024 * 1024
MAX_PDF_BYTES = 100 * 1024 * 1024

PAGE_BREAK = "\f"


@dataclass(frozen=True)
class SourceText:
    """The readable text of one corpus file."""

    path: str
    format: str  # "md", "txt", "pdf", "xml"
    text: str
    encoding: str = "utf-8"


def source_format(path: str | os.PathLike[str]) -> str | None:
    """The format kvsearch reads ``path`` as, or None for an extension it does not know."""
    return FORMATS.get(Path(path).suffix.lower())


def read_source(path: str | os.PathLike[str], pdf_text: Callable[[bytes], str] | None = None) -> SourceText:
    """Read one corpus file into clean text.

    ``pdf_text`` extracts the text of a PDF; the build passes a bounded child process
    (:class:`kvsearch.ingest.pdf_sandbox.PdfWorker`), the default runs PDFium in this process.

    Raises:
        SourceError: the file is empty, binary, too large, not a regular file, unreadable or
            not a usable PDF; the message is one line that says what was wrong (the caller
            names the file).
    """
    fmt = source_format(path)
    if fmt is None:
        raise SourceError(f"unknown file type {Path(path).suffix or '(none)'!r}")
    limit = MAX_PDF_BYTES if fmt == "pdf" else MAX_TEXT_BYTES
    data = _read_bytes(path, limit)
    if not data.strip():
        raise SourceError("empty file")
    if fmt == "pdf":
        text, encoding = (pdf_text or extract_pdf_text)(data), "pdf"
    elif fmt == "xml":
        text, encoding = official_xml_text(data), "xml"
    else:
        text, encoding = decode_text(data)
    return SourceText(path=str(path), format=fmt, text=clean_text(text), encoding=encoding)


def official_xml_text(data: bytes) -> str:
    """The text of an official Kamervragen XML file, laid out as the parser reads text.

    Raises:
        SourceError: not well-formed XML, a document type declaration (refused: entities), or
            XML that is not an official Kamervragen document.
    """
    # Imported here: only a corpus with XML files needs the XML parser.
    from xml.etree.ElementTree import ParseError as MalformedXml

    from kvsearch.ingest.official_xml import kamervragen_text
    from kvsearch.ingest.safe_xml import UnsafeXml, parse_xml

    try:
        return kamervragen_text(parse_xml(data))
    except MalformedXml as error:
        raise SourceError(f"not well-formed XML ({error})") from None
    except (UnsafeXml, ValueError) as error:
        raise SourceError(str(error)) from None


def _read_bytes(path: str | os.PathLike[str], limit: int) -> bytes:
    """The bytes of a regular file, opened without following a symlink or blocking on a FIFO."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise SourceError("symbolic link, not followed") from None
        raise SourceError(f"cannot read file: {error.strerror or error}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise SourceError("not a regular file")
        if info.st_size > limit:
            raise SourceError(f"file too large ({info.st_size // (1024 * 1024)} MB, limit {limit // (1024 * 1024)} MB)")
        chunks = []
        remaining = limit + 1
        while remaining > 0:
            chunk = os.read(fd, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        data = b"".join(chunks)
    except OSError as error:
        raise SourceError(f"cannot read file: {error.strerror or error}") from None
    finally:
        os.close(fd)
    if len(data) > limit:
        raise SourceError(f"file too large (limit {limit // (1024 * 1024)} MB)")
    return data


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode bytes the way a reasonable person would guess: BOM, UTF-8, UTF-16, then cp1252."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError:
                raise SourceError(f"invalid {encoding} text despite its byte order mark") from None
    if b"\x00" in data:
        # UTF-16 without BOM has a NUL in every other byte.
        for encoding in ("utf-16-le", "utf-16-be"):
            if _looks_like_utf16(data, little_endian=encoding.endswith("le")):
                try:
                    return data.decode(encoding), encoding
                except UnicodeDecodeError:
                    break
        data = _without_stray_nuls(data)
    try:
        text = data.decode("utf-8")
        encoding = "utf-8"
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
        encoding = "cp1252"
    if _control_share(text) > 0.05:
        raise SourceError("binary file (mostly control characters), not text")
    return text, encoding


#: Text damaged in transfer or by an editor can hold a few NUL bytes; a binary file (an image,
#: an archive, a word processor file) holds far more. Up to this share of the bytes, NULs are
#: dropped and the rest is read as text (the control-character check still catches a
#: compressed binary, whose NULs are rare).
MAX_NUL_SHARE = 0.01


def _without_stray_nuls(data: bytes) -> bytes:
    """``data`` without its NUL bytes, if they are few enough for text (``MAX_NUL_SHARE``)."""
    if data.count(0) > len(data) * MAX_NUL_SHARE:
        raise SourceError("binary file (contains NUL bytes), not text")
    return data.replace(b"\x00", b"")


def _looks_like_utf16(data: bytes, *, little_endian: bool) -> bool:
    zeros = data[1::2] if little_endian else data[0::2]
    return len(zeros) > 0 and zeros.count(0) / len(zeros) > 0.9


#: Control characters (Unicode category Cc) other than newline, carriage return, tab and form
#: feed; a regex counts them in C, where a per-character category check in Python would cost
#: every build a visible share of its time.
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


def _control_share(text: str) -> float:
    sample = text[:20000]
    if not sample:
        return 0.0
    return len(_CONTROL_RE.findall(sample)) / len(sample)


def extract_pdf_text(data: bytes) -> str:
    """Text of a PDF, pages separated by form feeds.

    PDFium (through pypdfium2) is used because it keeps the reading order of the official
    PDFs and is fast; ``docs/design.md`` says how it compares with the other extractors.

    Raises:
        SourceError: "damaged PDF: …", "encrypted PDF …" or "PDF has no text layer …".
    """
    import pypdfium2 as pdfium  # imported here: only PDF builds pay for it

    try:
        pdf = pdfium.PdfDocument(data)
    except Exception as error:  # pypdfium2 raises its own PdfiumError and others
        raise SourceError(_unopened_pdf_reason(error)) from None
    try:
        pages = []
        for number in range(1, len(pdf) + 1):
            pages.append(_page_text(pdf, number))
    finally:
        pdf.close()
    text = PAGE_BREAK.join(pages)
    # What clean_text would remove counts as no text: a page of control characters is empty.
    if not UNSAFE.sub("", text).strip():
        raise SourceError("PDF has no text layer (scanned image?)")
    return text


def _page_text(pdf: Any, number: int) -> str:
    """The text of page ``number`` (from 1) of an open PDFium document."""
    try:
        page = pdf[number - 1]
        try:
            textpage = page.get_textpage()
            text = textpage.get_text_range()
            textpage.close()
        finally:
            page.close()
    except Exception as error:
        raise SourceError(f"damaged PDF: page {number} cannot be read ({_one_line(error)})") from None
    return str(text)


#: PDFium's reasons for not opening a document (``FPDF_GetLastError``) that mean encryption.
_PDFIUM_PASSWORD, _PDFIUM_SECURITY = 4, 5


def _unopened_pdf_reason(error: BaseException) -> str:
    """The one-line reason a PDF could not be opened: encrypted, or damaged."""
    code = getattr(error, "err_code", None)
    if code == _PDFIUM_PASSWORD:
        return "encrypted PDF (needs a password)"
    if code == _PDFIUM_SECURITY:
        return "encrypted PDF (unsupported or damaged encryption)"
    return f"damaged PDF: {_one_line(error)}"


# PDFium marks every hyphen at a line end as U+FFFE (or U+0002) and joins the lines. Most are
# word breaks ("regen￾boogprovincie"); a real hyphen stays before a capital or digit
# ("Informatica-CWI"), after an acronym ("CCS-projecten") and before en/of ("aanloop- en").
_PDF_SOFT_HYPHEN = re.compile("(?P<before>\\S?)[\ufffe\x02\u00ad]\r?\n?(?P<after>\\S*)")
# A spacing acute or cedilla after a letter is an accent that PDF extraction split off
# ("Kostic´", "Yes¸ilgöz"); put it back as a combining mark.
_SPLIT_ACUTE = re.compile(r"(\w) ?\u00b4(?=\W|$)")
_SPLIT_CEDILLA = re.compile(r"(\w)\u00b8")


def clean_text(text: str) -> str:
    """Normalise line ends and Unicode, repair PDF artefacts, remove unsafe characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Each pattern starts with an optional or any character, so a scan tries every position:
    # skipped when the character it needs is absent (most text files).
    if "\ufffe" in text or "\x02" in text or "\u00ad" in text:
        text = _PDF_SOFT_HYPHEN.sub(_line_end_hyphen, text)
    if "\u00b4" in text:
        text = _SPLIT_ACUTE.sub(lambda m: m.group(1) + "\u0301", text)
    if "\u00b8" in text:
        text = _SPLIT_CEDILLA.sub(lambda m: m.group(1) + "\u0327", text)
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\u00a0", " ")
    return UNSAFE.sub("", text)  # keeps newlines, tabs and the form feeds that mark pages


def _line_end_hyphen(match: re.Match[str]) -> str:
    before, after = match.group("before"), match.group("after")
    if after in ("en", "of", "en/of"):
        return f"{before}- {after}"
    if after[:1].isupper() or after[:1].isdigit() or before.isupper() or before.isdigit():
        return f"{before}-{after}"
    return before + after


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split())[:200] or type(error).__name__
