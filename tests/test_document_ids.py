"""Document ids are opaque: a file named by an official id is that document, whatever its text says.

New answers are published as ``ah-<digits>``, PDF-only and with no id in their text; ``kvsearch fetch``
stores them as ``<id>.pdf``. Their text can still name other documents' ids (a footer, a reference),
so the file name is what tells the document's id."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import DATA, TEST_CORPUS, run_cli

#: A real official PDF; its text names it ``ah-tk-20232024-1076`` in every page footer.
REAL_PDF = DATA / "sru" / "ah-tk-20232024-1076.pdf"
#: A real answer without an id in its text (its id is made from its header otherwise).
REAL_TEXT = TEST_CORPUS / "limburg-2024" / "Antwoord_op_vragen_van_het_lid_Boswijk_o-docx.txt"


def parsed(path: Path) -> dict:
    done = run_cli("parse", str(path), "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_a_pdf_named_by_a_new_style_id_is_indexed_and_shown_under_that_id(tmp_path: Path) -> None:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    shutil.copyfile(REAL_PDF, corpus / "ah-1251487.pdf")
    done = run_cli("index", "--corpus", str(corpus), "--index", str(index))
    assert done.returncode == 0, done.stderr

    shown = run_cli("show", "ah-1251487", "--index", str(index), "--json")
    assert shown.returncode == 0, shown.stderr
    passages = [json.loads(line) for line in shown.stdout.splitlines()]
    assert {p["doc_id"] for p in passages} == {"ah-1251487"}
    assert passages[0]["url"] == "https://zoek.officielebekendmakingen.nl/ah-1251487.html"
    assert [a["name"] for a in passages[0]["askers"]] == ["Van Haga"]  # the text is still read
    assert "Sinterklaasintocht" in " ".join(p["question"] + p["answer"] for p in passages)

    cited = run_cli("show", "ah-1251487#1", "--index", str(index))
    assert cited.returncode == 0, cited.stderr
    assert run_cli("show", "ah-tk-20232024-1076", "--index", str(index)).returncode == 1


@pytest.mark.parametrize(
    "official_id",
    [
        "ah-1251487",
        "ah-tk-20072008-2031-h1",
        "ah-ek-20082009-14-n1",
        "kv-tk-2024Z18792",
        "kv-tk-20062007-KVR27039",
    ],
)
def test_a_file_named_by_an_official_id_has_that_id_and_its_page(tmp_path: Path, official_id: str) -> None:
    named = tmp_path / f"{official_id}.txt"
    shutil.copyfile(REAL_TEXT, named)
    document = parsed(named)
    assert document["doc_id"] == official_id
    assert document["url"] == f"https://zoek.officielebekendmakingen.nl/{official_id}.html"
    assert (document["answered_by"]["name"], document["date_answered"]) == ("Klever", "2024-11-20")


@pytest.mark.parametrize("name", ["ah-notities.txt", "kv-concept.txt", "ah-1251487-kopie.txt", "AH-1251487.txt"])
def test_a_name_that_only_looks_like_an_id_does_not_name_the_document(tmp_path: Path, name: str) -> None:
    named = tmp_path / name
    shutil.copyfile(REAL_TEXT, named)
    assert parsed(named)["doc_id"] == "ah-tk-20242025-605"  # made from the text's header, as without the name
