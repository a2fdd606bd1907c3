"""The benchmark corpus generator (bench/generate.py), checked with the real parser:
exact size, every layout parsing into its intended question groups, byte-identical output,
and new documents that collide with none of an earlier call's."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import pytest

from bench import generate as gen
from kvsearch.ingest.corpus import deduplicate, parse_file
from kvsearch.models import Document
from tests.conftest import SHARED_CORPUS, needs_shared_corpus

pytestmark = needs_shared_corpus()

PASSAGES = 3000
EXPECTED_KIND = {
    gen.ANSWERED: "antwoord",
    gen.QUESTIONS: "vragen",
    gen.ORAL: "vragen",
    gen.NOTICE: "mededeling",
    gen.NOTICE_QUESTIONS: "mededeling",
}


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def _digests(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in _files(folder)}


def _intended_groups(plan: gen.Plan) -> list[tuple[int, ...]]:
    return [] if plan.kind == gen.NOTICE else list(plan.groups)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, list[Document]]:
    out = tmp_path_factory.mktemp("bench") / "corpus"
    summary = gen.generate(SHARED_CORPUS, out, PASSAGES, seed=7)
    return out, summary, [parse_file(path) for path in _files(out)]


def test_parsed_passages_match_the_request(corpus: tuple[Path, dict, list[Document]]) -> None:
    _, summary, documents = corpus
    parsed = sum(len(d.passages) for d in documents)
    assert summary["passages"] == PASSAGES
    assert abs(parsed - PASSAGES) <= PASSAGES // 100, parsed
    assert summary["documents"] == len(documents)
    assert [d.source for d in documents if d.warnings] == []


def test_documents_are_unique_by_id_and_kamer_reference(corpus: tuple[Path, dict, list[Document]]) -> None:
    _, _, documents = corpus
    ids = [d.doc_id for d in documents]
    references = [d.reference for d in documents if d.reference]
    assert all(i.startswith(("ah-tk-", "kv-tk-")) for i in ids)
    assert len(set(ids)) == len(ids)
    assert len(set(references)) == len(references)
    kept, duplicates = deduplicate(list(documents))
    assert duplicates == [] and len(kept) == len(documents)


def test_all_formats_and_kinds_are_present(corpus: tuple[Path, dict, list[Document]]) -> None:
    _, summary, documents = corpus
    assert set(summary["files"]) == {"md", "txt", "pdf"}
    assert set(summary["layouts"]) == set(gen.RENDERERS)
    assert 0.01 <= summary["files"]["pdf"] / summary["documents"] <= 0.05
    assert {d.kind for d in documents} == {"antwoord", "vragen", "mededeling"}
    years = {int(d.year[:4]) for d in documents if d.year}
    assert min(years) < 2000 and max(years) >= 2024
    assert summary["distinct_words"] > 20_000  # more than the real corpus's ~13,000


def test_every_layout_parses_into_its_question_groups(tmp_path: Path) -> None:
    composer = gen.Composer(gen.build_model(SHARED_CORPUS), seed=3)
    plans = list(gen.plan_documents(1500, 3, 1))
    checked = 0
    for layout in gen.RENDERERS:
        for kind in (k for k, layouts in gen.LAYOUT_WEIGHTS.items() if layout in layouts):
            # Several documents of each kind, with combined groups where the kind has them.
            candidates = sorted(
                (p for p in plans if p.kind == kind), key=lambda p: (-max(map(len, p.groups), default=0), p.number)
            )
            for plan in candidates[:3]:
                plan = dataclasses.replace(plan, layout=layout)
                content = composer.compose(plan)
                used, name, data = gen.render(content, gen._doc_rng(3, plan.number, 2))
                path = tmp_path / name
                path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
                document = parse_file(path)
                where = f"{layout}/{kind} {name}"
                assert used == layout or (layout == "txt-flat" and used == "txt-clean"), where
                assert document.warnings == [], where
                assert document.doc_id == content.doc_id, where
                assert document.kind == EXPECTED_KIND[kind], where
                assert [p.questions for p in document.passages] == _intended_groups(plan), where
                if kind != gen.ORAL and used not in ("txt-docx",):
                    assert [a.name for a in document.askers] == [n for n, _ in content.askers] or used == "pdf"
                checked += 1
    assert checked >= 40


def test_same_arguments_give_the_same_bytes_whatever_the_workers(tmp_path: Path) -> None:
    # Documents 980.. cross a folder boundary, so two workers really share the work.
    one = gen.generate(SHARED_CORPUS, tmp_path / "one", 400, seed=5, first_number=980, workers=1)
    two = gen.generate(SHARED_CORPUS, tmp_path / "two", 400, seed=5, first_number=980, workers=2)
    other = gen.generate(SHARED_CORPUS, tmp_path / "other", 400, seed=6, first_number=980, workers=1)
    digests = _digests(tmp_path / "one")
    assert len({name.split("/")[0] for name in digests}) == 2
    assert digests == _digests(tmp_path / "two")
    assert digests != _digests(tmp_path / "other")
    assert {k: v for k, v in one.items() if k != "seconds"} == {k: v for k, v in two.items() if k != "seconds"}
    assert other["passages"] == 400


def test_a_later_call_adds_new_documents(tmp_path: Path) -> None:
    out = tmp_path / "corpus"
    first = gen.generate(SHARED_CORPUS, out, 1000, seed=1)
    before = set(_digests(out))
    # "1 % new documents": the next numbers, another seed, the same folder.
    added = gen.generate(SHARED_CORPUS, out, 10, seed=2, first_number=first["next_number"])
    after = _digests(out)
    assert before < set(after) and len(after) == first["documents"] + added["documents"]
    documents = [parse_file(path) for path in _files(out)]
    assert sum(len(d.passages) for d in documents) == 1010
    kept, duplicates = deduplicate(documents)
    assert duplicates == [] and len(kept) == len(documents)
