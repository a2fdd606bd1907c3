"""The real ``kvsearch`` command in a fresh process, against real indexes on disk."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, SAMPLE_CORPUS, json_lines, needs_shared_corpus, run_cli

# Queries written from reading the documents, each with the passage that answers it.
RELEVANCE = [
    ("neutraliteit ambtenaren", "ah-tk-20232024-1064#8"),
    ("voorwaarden regenboogprovincie", "ah-tk-20232024-1314#2"),
    ("meldingen discriminatie lhbti politie Fryslân", "ah-tk-20232024-1314#6"),
    ("etnische zuivering Nagorno-Karabach", "ah-tk-20232024-387#2"),
    ("afhankelijkheid Azerbeidzjaans gas", "ah-tk-20232024-387#6"),
    ("privacyverklaring gegevens zorgverzekeraar NZa", "ah-tk-20232024-302#3"),
    ("groene waterstof uit afval RED-III", "ah-tk-20242025-576#1"),
    ("risicoreservering Mobiliteitsfonds vaarverbinding Ameland", "ah-tk-20242025-611#5"),
    ("TikTok moderatoren DSA Nederlandstalige", "ah-tk-20242025-597#6"),
    ("Bunq klantgegevens bekijken privacy", "ah-tk-20232024-2367#2"),
    ("Schuberg Philis APG cyberaanval", "ah-tk-20242025-609#2"),
    ("Israëlische wapenbedrijven niet welkom beurs", "ah-tk-20242025-617#5"),
    ("Kinderrechtencollectief noodopvang", "ah-tk-20242025-545#1"),
    ("woordvoerder burgemeester Halsema", "kv-tk-2024Z18794#5"),
    ("Civic Space Fund handhaven", "ah-tk-20242025-616#8"),
    ("konijn houtduif kauw", "ah-tk-20232024-1433#2"),
    ("amendementen Ontbossingswet", "kv-tk-2024Z18885#1"),
    ("Oeigoeren vastzitten Thailand", "kv-tk-2024Z18888#2"),
    ("afvalwaterinjectie Schoonebeek stoppen", "ah-tk-20242025-610#1"),
    ("financiële problemen Ebusco", "ah-tk-20242025-602#1"),
    ("Nutri-Score geld verspild", "ah-tk-20242025-614#2"),
    ("quantumcomputing encryptie", "ah-tk-20232024-1178#1"),
    ("conducteur mishandeld Purmerend", "ah-tk-20232024-1949#1"),
    ("rapport Dredging destruction Both Ends", "ah-tk-20232024-1786#1"),
    ("exportkredietverzekering baggerprojecten vissers milieu", "ah-tk-20232024-1786#2"),
    ("commissie nadeelcompensatie Julianakanaal", "ah-tk-20242025-566#2"),
    ("ontwikkelingshulp meestijgen economische groei", "ah-tk-20242025-605#1-2-3-4-5"),
    ("vrijstellingslijst motie Partij voor de Dieren", "ah-tk-20232024-1433#1"),
]


def hits(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


@needs_shared_corpus()
@pytest.mark.parametrize(("query", "passage"), RELEVANCE, ids=[q for q, _ in RELEVANCE])
def test_expected_passage_in_top_3(shared_index: Path, query: str, passage: str) -> None:
    done = run_cli(query, "--index", str(shared_index), "--json", "--limit", "3")
    assert done.returncode == 0, done.stderr
    assert passage in [h["passage_id"] for h in hits(done.stdout)]


def test_sample_shows_answer_8_first(sample_index: Path) -> None:
    done = run_cli("neutraliteit ambtenaren", "--index", str(sample_index))
    assert done.returncode == 0
    first = done.stdout.split("\n2. ")[0]
    assert first.startswith("1. ah-tk-20232024-1064 vraag 8")
    assert "A: Het is belangrijk dat ambtenaren politiek neutraal" in first
    assert "\x1b[" not in done.stdout  # no colour when not a terminal


def test_search_is_the_default_command_and_a_query_may_be_a_command_name(sample_index: Path) -> None:
    assert run_cli("search", "index", "--index", str(sample_index)).returncode in (0, 1)
    default = run_cli("ambtenaren", "--index", str(sample_index), "--json")
    explicit = run_cli("search", "ambtenaren", "--index", str(sample_index), "--json")
    assert default.stdout == explicit.stdout != ""


def test_json_schema(sample_index: Path) -> None:
    done = run_cli("uitslag", "--index", str(sample_index), "--json")
    assert done.returncode == 0
    rows = hits(done.stdout)
    assert rows
    for row in rows:
        for key in (
            "doc_id",
            "kind",
            "number",
            "year",
            "title",
            "askers",
            "addressees",
            "answered_by",
            "date_submitted",
            "date_answered",
            "see_also",
            "url",
            "source",
            "passage_id",
            "questions",
            "question",
            "answer",
            "score",
            "highlights",
        ):
            assert key in row, key
        # highlights point at the matched words, through compounds: "verkiezingsuitslag"
        for field in ("question", "answer"):
            for start, end in row["highlights"][field]:
                assert "uitslag" in row[field][start:end].lower()
    assert any(row["highlights"]["answer"] for row in rows)


def test_format_compact_and_template(sample_index: Path) -> None:
    compact = run_cli("ambtenaren", "--index", str(sample_index), "--format", "compact")
    lines = compact.stdout.splitlines()
    assert lines and all(line.count("\t") == 4 for line in lines)
    template = run_cli("ambtenaren", "--index", str(sample_index), "--format", "{passage_id}|{date}")
    assert template.stdout.splitlines()[0].startswith("ah-tk-20232024-1064#")


def test_no_hits_exits_1_with_suggestion(sample_index: Path) -> None:
    done = run_cli("ambtenarn", "--index", str(sample_index))
    assert done.returncode == 1
    assert done.stdout == ""
    assert "bedoelde u: ambtenaren?" in done.stderr


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ('"neutraliteit ambtenaren', "unbalanced quote"),
        ("(ambtenaren", "unbalanced '('"),
        ("ambtenaren)", "unbalanced ')'"),
        ("AND", "operator AND"),
        ("NOT NOT NOT", "operator NOT"),
        ("kleur:rood", "unknown field 'kleur:'"),
        ("", "empty query"),
        ("a" * 10_000, "query too long"),
        ("ambte\x1b[2Jnaren", "control characters"),
        ("*en", "wildcard"),
        ("datum:2024-13", "not a date"),
        ("status:misschien", "status must be"),
    ],
)
def test_bad_queries_exit_2_with_one_line(sample_index: Path, query: str, message: str) -> None:
    done = run_cli(query, "--index", str(sample_index))
    assert done.returncode == 2, done.stderr
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr


def test_missing_index_exits_3_and_says_how_to_build(tmp_path: Path) -> None:
    done = run_cli("ambtenaren", "--index", str(tmp_path / "none"))
    assert done.returncode == 3
    assert "kvsearch index" in done.stderr


def test_filters(sample_index: Path) -> None:
    for query in (
        "ambtenaren partij:JA21",
        "ambtenaren ministerie:VWS",
        "ambtenaren minister:Helder",
        "ambtenaren jaar:2024",
        "ambtenaren vergaderjaar:2023-2024",
        "ambtenaren datum:2024-02..2024-03",
        "ambtenaren nr:1064",
        "ambtenaren status:beantwoord",
        "indiener:Erdmans",
    ):
        assert run_cli(query, "--index", str(sample_index)).returncode == 0, query
    for query in (
        "ambtenaren partij:PVV",
        "ambtenaren jaar:2023",
        "ambtenaren status:onbeantwoord",
        "ambtenaren ministerie:AenM",
    ):
        assert run_cli(query, "--index", str(sample_index)).returncode == 1, query
    assert run_cli("ambtenaren", "--partij", "JA21", "--since", "2024-02", "--index", str(sample_index)).returncode == 0
    assert run_cli("ambtenaren", "--until", "2023-12-31", "--index", str(sample_index)).returncode == 1


def test_sort_by_date_newest_first(real_index: Path) -> None:
    done = run_cli("minister", "--index", str(real_index), "--json", "--sort", "date", "--limit", "30")
    dates = [h["date_answered"] or h["date_submitted"] for h in hits(done.stdout)]
    assert dates == sorted(dates, reverse=True)


def test_party_and_ministry_filters_on_real_corpus(real_index: Path) -> None:
    done = run_cli("partij:GL-PvdA", "--index", str(real_index), "--json", "--limit", "50")
    rows = hits(done.stdout)
    assert rows and all(any(a["party"] == "GroenLinks-PvdA" for a in r["askers"]) for r in rows)
    done = run_cli("ministerie:JenV", "--index", str(real_index), "--json", "--limit", "50")
    rows = hits(done.stdout)
    assert rows and all(
        "Justitie en Veiligheid" in (r["answered_by"] or {}).get("ministry", "")
        or any("Justitie en Veiligheid" in a for a in r["addressees"])
        for r in rows
    )


def test_similar_finds_other_documents(real_index: Path) -> None:
    done = run_cli("similar", "ah-tk-20232024-1064#8", "--index", str(real_index), "--json")
    assert done.returncode == 0
    rows = hits(done.stdout)
    assert rows and all(r["doc_id"] != "ah-tk-20232024-1064" for r in rows)
    stdin = run_cli(
        "similar",
        "-",
        "--index",
        str(real_index),
        "--json",
        input="Klopt het dat de minister de aanstelling van een woordvoerder heeft geblokkeerd?",
    )
    top = hits(stdin.stdout)[:3]
    assert len(top) == 3 and all("woordvoerder" in r["question"] for r in top)


def test_show_document_and_passage(sample_index: Path) -> None:
    whole = run_cli("show", "ah-tk-20232024-1064", "--index", str(sample_index))
    assert whole.returncode == 0
    assert len(re.findall(r"^Antwoord \d", whole.stdout, flags=re.M)) == 7
    one = run_cli("show", "ah-tk-20232024-1064#8", "--index", str(sample_index), "--json")
    row = json.loads(one.stdout)
    assert row["questions"] == [8]
    assert run_cli("show", "ah-tk-20232024-9999", "--index", str(sample_index)).returncode != 0


def test_stats(sample_index: Path) -> None:
    done = run_cli("stats", "--index", str(sample_index), "--json")
    data = json.loads(done.stdout)
    assert (data["documents"], data["passages"]) == (1, 7)
    assert data["by_party"] == {"JA21": 1}
    assert data["versions"]["stemmer"] == "dutch_porter"


def test_parse_json_of_sample() -> None:
    done = run_cli("parse", str(SAMPLE_CORPUS / "ah-tk-20232024-1064.md"), "--json")
    assert done.returncode == 0
    document = json.loads(done.stdout)
    assert [p["questions"] for p in document["passages"]] == [[1, 2], [3], [4], [5], [6, 7], [8], [9]]
    outline = run_cli("parse", str(SAMPLE_CORPUS))
    assert "ah-tk-20232024-1064" in outline.stdout


def test_analyze_json() -> None:
    done = run_cli("analyze", "ambtenaren verkiezingsuitslag", "--json")
    terms = json.loads(done.stdout)["terms"]
    assert {"text": terms[0]["text"], "position": 0} == terms[0]
    assert {t["position"] for t in terms} == {0, 1}


def test_index_is_incremental_and_reports(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.md").write_text(
        (SAMPLE_CORPUS / "ah-tk-20232024-1064.md").read_text(encoding="utf-8"), encoding="utf-8"
    )
    index = tmp_path / "index"
    first = run_cli("index", "--corpus", str(corpus), "--index", str(index), "--json")
    report = json.loads(first.stdout)
    assert (report["added"], report["documents"], report["passages"]) == (1, 1, 7)
    second = json.loads(run_cli("index", "--corpus", str(corpus), "--index", str(index), "--json").stdout)
    assert (second["added"], second["updated"], second["unchanged"]) == (0, 0, 1)
    assert json.loads(run_cli("status", "--index", str(index), "--json").stdout)["last_build"]["outcome"] == "unchanged"
    os.utime(corpus / "a.md")  # same content, new mtime: the new file record is published
    run_cli("index", "--corpus", str(corpus), "--index", str(index))
    assert json.loads(run_cli("status", "--index", str(index), "--json").stdout)["last_build"]["outcome"] == "published"
    (corpus / "notes.xyz").write_text("x")
    (corpus / "broken.txt").write_bytes(b"\x00\x01\x02binary")
    third = run_cli("index", "--corpus", str(corpus), "--index", str(index))
    assert third.returncode == 6
    assert "broken.txt: binary file" in third.stderr
    assert "notes.xyz: unknown file type" in third.stderr
    assert third.stdout == ""  # quiet when not a terminal


def test_index_refuses_a_missing_corpus_and_keeps_the_old_index(sample_index: Path, tmp_path: Path) -> None:
    done = run_cli("index", "--corpus", str(tmp_path / "absent"), "--index", str(sample_index))
    assert done.returncode == 4
    assert "corpus folder not found" in done.stderr
    assert run_cli("neutraliteit", "--index", str(sample_index)).returncode == 0


def test_every_command_has_help_and_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in ("search", "index", "similar", "show", "stats", "status", "parse", "analyze", "tui"):
        done = run_cli(command, "--help")
        assert done.returncode == 0 and "Usage" in done.stdout, command
        assert f"kvsearch {command}" in readme or command == "search", command


def test_index_from_another_version_is_refused(sample_index: Path, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "index"
    shutil.copytree(sample_index, copy)
    generation = copy / (copy / "CURRENT").read_text().strip()
    manifest = json.loads((generation / "manifest.json").read_text())
    manifest["versions"]["analyzer"] = "nl-0"
    (generation / "manifest.json").write_text(json.dumps(manifest))
    done = run_cli("ambtenaren", "--index", str(copy))
    assert done.returncode == 3
    assert "another version" in done.stderr and "kvsearch index --full" in done.stderr


def test_index_writable_by_others_is_refused(sample_index: Path, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "index"
    shutil.copytree(sample_index, copy)
    copy.chmod(0o777)
    done = run_cli("ambtenaren", "--index", str(copy))
    assert done.returncode == 3
    assert "written by other users" in done.stderr


def test_the_one_liner_reads_exactly_the_search_commands_options() -> None:
    """The fast path (kvsearch.cli.fast_path) and ``kvsearch search`` must accept the same options."""
    import typer

    from kvsearch.cli.app import app
    from kvsearch.cli.fast_path import LIMIT_RANGE, SEARCH_OPTIONS

    command = typer.main.get_command(app).commands["search"]  # type: ignore[attr-defined]
    typer_options = {}
    for param in command.params:
        for flag in param.opts:
            if flag.startswith("-"):
                number = any(cls.__name__ == "IntParamType" for cls in type(param.type).__mro__)  # click's
                kind = "flag" if param.is_flag else "list" if param.multiple else "int" if number else "str"
                typer_options[flag] = (param.name, kind)
                if kind == "int":
                    assert (param.type.min, param.type.max) == LIMIT_RANGE
    assert SEARCH_OPTIONS == typer_options


@pytest.mark.parametrize(
    "args",
    [
        ["neutraliteit", "ambtenaren"],
        ["neutraliteit ambtenaren", "--json", "-n", "2"],
        ["--limit=3", "ambtenaren", "--format", "compact"],
        ["ambtenaren", "--partij", "JA21", "--partij", "VVD", "--sort", "date", "--format", "{passage_id}"],
        ["ambtenaren", "--since", "2024-01", "--until", "2024-12", "--status", "beantwoord", "--json"],
        ["ambtenarn"],
        ["(ambtenaren"],
        ["ambtenaren", "--sort", "kleur"],
        ["ambtenaren", "--limit", "0"],
        ["ambtenaren", "--kleur", "rood"],
        ["ambtenaren", "-opvang"],
        ["--", "-opvang"],
        ["ambtenaren", "--json=1"],
        ["ambtenaren", "--limit"],
    ],
)
def test_the_one_liner_prints_what_the_search_command_prints(sample_index: Path, args: list[str]) -> None:
    env = {"KVSEARCH_INDEX": str(sample_index)}
    fast, full = run_cli(*args, env=env), run_cli("search", *args, env=env)
    assert (fast.returncode, fast.stdout, fast.stderr) == (full.returncode, full.stdout, full.stderr)
    assert "Traceback" not in fast.stderr


def exit_work_done(args: list[str]) -> subprocess.CompletedProcess[str]:
    """``kvsearch ARGS`` as the installed command runs it, with work registered for the
    interpreter's shutdown that prints "shutdown ran" on stderr."""
    code = (
        "import atexit, sys; atexit.register(lambda: sys.stderr.write('shutdown ran\\n')); "
        f"sys.argv = ['kvsearch', *{args!r}]; from kvsearch.cli import run; run()"
    )
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300)


def test_a_one_liner_ends_without_the_interpreters_shutdown_and_loses_no_output(sample_index: Path) -> None:
    """Freeing every module and object at exit is a share of a cold search's time; the output
    is written and flushed before, so nothing of it is lost, and the exit code stays."""
    found = exit_work_done(["ambtenaren", "--index", str(sample_index), "--json", "--limit", "1000"])
    assert found.returncode == 0, found.stderr
    assert "shutdown ran" not in found.stderr
    assert json_lines(found) == json_lines(
        run_cli("search", "ambtenaren", "--index", str(sample_index), "--json", "--limit", "1000")
    )
    none = exit_work_done(["zzzqqqxyz", "--index", str(sample_index)])
    assert none.returncode == 1 and "no hits" in none.stderr and "shutdown ran" not in none.stderr
    # The full CLI's commands keep the interpreter's shutdown: they may leave work for it.
    stats = exit_work_done(["stats", "--index", str(sample_index)])
    assert stats.returncode == 0 and "shutdown ran" in stats.stderr


def test_the_commands_that_take_index_are_those_of_the_cli() -> None:
    """``kvsearch --index DIR COMMAND`` moves the option to the commands that have it."""
    import typer

    from kvsearch.cli.app import app
    from kvsearch.cli.fast_path import COMMANDS, INDEX_COMMANDS

    def takes_index(command: object) -> bool:
        subcommands = getattr(command, "commands", None)
        if subcommands:  # a group (watch): each of its commands
            return all(takes_index(sub) for sub in subcommands.values())
        return any("--index" in param.opts for param in command.params)  # type: ignore[attr-defined]

    commands = typer.main.get_command(app).commands  # type: ignore[attr-defined]
    assert set(commands) == COMMANDS
    assert {name for name, command in commands.items() if takes_index(command)} == INDEX_COMMANDS


@pytest.mark.parametrize(
    "command",
    [
        ["stats"],
        ["status"],
        ["show", "ah-tk-20232024-1064"],
        ["search", "ambtenaren", "--json"],
        ["similar", "ah-tk-20232024-1064#8", "--json"],
        ["overdue", "--json"],
        ["watch", "list"],
    ],
)
def test_index_given_before_the_command_is_the_commands(sample_index: Path, command: list[str]) -> None:
    after = run_cli(*command, "--index", str(sample_index))
    assert after.returncode in (0, 1), after.stderr
    for before in (["--index", str(sample_index)], [f"--index={sample_index}"]):
        done = run_cli(*before, *command, env={"KVSEARCH_INDEX": "/nonexistent"})
        assert (done.returncode, done.stdout, done.stderr) == (after.returncode, after.stdout, after.stderr)


def test_index_before_a_search_or_a_command_that_reads_none(sample_index: Path) -> None:
    one_liner = run_cli("--index", str(sample_index), "ambtenaren", "--json")
    assert one_liner.stdout == run_cli("search", "ambtenaren", "--index", str(sample_index), "--json").stdout != ""
    for command in (["analyze", "--query", "ambtenaren"], ["parse", "x.md"], ["fetch"]):
        done = run_cli("--index", str(sample_index), *command)
        assert done.returncode == 2 and done.stdout == ""
        assert done.stderr == f"kvsearch: {command[0]} reads no index: leave out --index\n"
    done = run_cli("--index", str(sample_index), "watch", "--help")
    assert done.returncode == 2 and "after watch's command" in done.stderr and len(done.stderr.splitlines()) == 1


def test_index_alone_opens_the_interactive_search_on_it() -> None:
    # The interactive search waits for its index on a terminal, so the dispatch is what is checked.
    from kvsearch.cli.fast_path import command_first

    assert command_first(["--index", "DIR"]) == ["tui", "--index", "DIR"]
    assert command_first(["--index=DIR"]) == ["tui", "--index=DIR"]
    assert command_first(["--index"]) == ["--index"]  # Typer says the value is missing


def test_index_from_the_environment_still_serves_every_command(sample_index: Path) -> None:
    env = {"KVSEARCH_INDEX": str(sample_index)}
    assert run_cli("stats", env=env).stdout == run_cli("stats", "--index", str(sample_index)).stdout != ""
    assert (
        run_cli("ambtenaren", "--json", env=env).stdout
        == run_cli("ambtenaren", "--json", "--index", str(sample_index)).stdout
    )
