"""Following a topic and the clock: ``watch``, ``overdue`` and ``stats --delays``, through the
real CLI on real documents copied into temporary corpora."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from conftest import TEST_CORPUS, run_cli

ATOM = "{http://www.w3.org/2005/Atom}"
LIMBURG = TEST_CORPUS / "limburg-2024"
#: The questions of 2024Z18792 (as a PDF) and, arriving later, their answers (as a DOCX).
QUESTIONS_18792 = LIMBURG / "De_ontkoppeling_van_ontwikkelingshulp-pdf.txt"
ANSWERS_18792 = LIMBURG / "Antwoord_op_vragen_van_het_lid_Boswijk_o-docx.txt"


def index(corpus: Path, index_dir: Path) -> None:
    done = run_cli("index", "--corpus", str(corpus), "--index", str(index_dir), "-q")
    assert done.returncode == 0, done.stderr


def passage_ids(doc_id: str, index_dir: Path) -> set[str]:
    """The passages of a document as ``kvsearch show`` lists them."""
    done = run_cli("show", doc_id, "--json", "--index", str(index_dir))
    assert done.returncode == 0, done.stderr
    return {json.loads(line)["passage_id"] for line in done.stdout.splitlines()}


def report_lines(*args: str, env: dict[str, str] | None = None) -> tuple[int, list[dict]]:
    done = run_cli("watch", "report", "--json", *args, env=env)
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, [json.loads(line) for line in done.stdout.splitlines()]


# --------------------------------------------------------------------------------------------
# watch


def test_a_watch_reports_exactly_what_a_rebuild_added_and_then_nothing(tmp_path: Path) -> None:
    corpus, index_dir = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    for source in (
        TEST_CORPUS / "seed" / "ah-tk-20232024-1064.md",
        TEST_CORPUS / "converted" / "ah-tk-20232024-302.md",
    ):
        shutil.copy(source, corpus)
    shutil.copy(QUESTIONS_18792, corpus)
    index(corpus, index_dir)
    where = ["--index", str(index_dir)]
    assert run_cli("watch", "add", "answers", "soort:antwoord", *where).returncode == 0
    assert run_cli("watch", "add", "aid", "ontwikkelingshulp", *where).returncode == 0
    questions_before = passage_ids("kv-tk-2024Z18792", index_dir)
    assert questions_before

    nothing = run_cli("watch", "report", *where)
    assert (nothing.returncode, nothing.stdout, nothing.stderr) == (1, "", "")

    # The night's fetch brings a new answered set, and the answers to the questions already there.
    shutil.copy(TEST_CORPUS / "converted" / "ah-tk-20232024-387.md", corpus)
    shutil.copy(ANSWERS_18792, corpus)
    index(corpus, index_dir)
    code, lines = report_lines(*where)
    assert code == 0
    reported: dict[str, list[str]] = {}
    for line in lines:
        reported.setdefault(line["watch"], []).append(line["passage_id"])
    added = passage_ids("ah-tk-20232024-387", index_dir) | passage_ids("ah-tk-20242025-605", index_dir)
    assert sorted(reported["answers"]) == sorted(added)
    assert sorted(reported["aid"]) == sorted(passage_ids("ah-tk-20242025-605", index_dir))
    assert not questions_before & set(reported["aid"])

    again = run_cli("watch", "report", *where)
    assert (again.returncode, again.stdout) == (1, "")
    assert (tmp_path / "index.watches.json").is_file()


def test_the_text_report_groups_by_watch_and_cites_each_passage(tmp_path: Path) -> None:
    corpus, index_dir = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    where = ["--index", str(index_dir)]
    assert run_cli("watch", "add", "civil", "ambtenaren", *where).returncode == 0  # before any index
    shutil.copy(TEST_CORPUS / "seed" / "ah-tk-20232024-1064.md", corpus)
    index(corpus, index_dir)
    done = run_cli("watch", "report", *where)
    assert done.returncode == 0, done.stderr
    ids = passage_ids("ah-tk-20232024-1064", index_dir)  # the subject has the word: all of them
    assert len(ids) > 1
    assert done.stdout.startswith(f"== civil: {len(ids)} new passages  (ambtenaren)\n")
    for passage_id in ids:
        assert f"\n{passage_id} " in done.stdout
    assert done.stdout.count("https://zoek.officielebekendmakingen.nl/ah-tk-20232024-1064.html") == len(ids)


def test_watch_add_list_remove_and_bad_input(tmp_path: Path, test_index: Path) -> None:
    env = {"KVSEARCH_WATCHES": str(tmp_path / "mine.json")}
    where = ["--index", str(test_index)]
    assert run_cli("watch", "add", "asiel", "asiel", "partij:D66", *where, env=env).returncode == 0
    listed = run_cli("watch", "list", "--json", *where, env=env)
    assert [json.loads(line)["query"] for line in listed.stdout.splitlines()] == ["asiel partij:D66"]
    for args, says in (
        (("add", "asiel", "stikstof"), "exists"),
        (("add", "../x", "stikstof"), "not a watch name"),
        (("add", "long", "wat vindt u van de opvang van asielzoekers in Ter Apel"), "not a question in sentences"),
        (("add", "bad", '"stikstof'), "unbalanced quote"),
        (("remove", "nope"), "no watch named 'nope'"),
        (("report", "nope"), "no watch named 'nope'"),
        (("report", "--since", "gisteren"), "--since needs"),
    ):
        done = run_cli("watch", *args, *where, env=env)
        assert done.returncode == 2, (args, done.stderr)
        assert says in done.stderr and done.stderr.count("\n") == 1, done.stderr
    assert run_cli("watch", "remove", "asiel", *where, env=env).returncode == 0
    assert run_cli("watch", "list", *where, env=env).returncode == 1
    done = run_cli("watch", "report", *where, env=env)
    assert done.returncode == 2 and "no watches in" in done.stderr
    (tmp_path / "mine.json").write_text("{not json", encoding="utf-8")
    done = run_cli("watch", "list", *where, env=env)
    assert done.returncode == 2 and "mine.json: not a watches file" in done.stderr
    (tmp_path / "mine.json").write_text('{"watches": {"../x": {"query": "asiel"}}}', encoding="utf-8")
    done = run_cli("watch", "report", *where, env=env)
    assert done.returncode == 2 and "mine.json: '../x' is not a watch name" in done.stderr


def test_the_atom_feed_is_valid_escapes_document_text_and_keeps_its_ids(tmp_path: Path) -> None:
    corpus, index_dir, feeds = tmp_path / "corpus", tmp_path / "index", tmp_path / "feeds"
    corpus.mkdir()
    seed = (TEST_CORPUS / "seed" / "ah-tk-20232024-1064.md").read_text(encoding="utf-8")
    hostile = seed.replace(
        "bijeenkomsten met ambtenaren", 'bijeenkomsten <script>"x" & y</script>\x1b[31m met ambtenaren'
    )
    assert hostile != seed
    (corpus / "ah-tk-20232024-1064.md").write_text(hostile, encoding="utf-8")
    shutil.copy(TEST_CORPUS / "converted" / "ah-tk-20232024-302.md", corpus)
    where = ["--index", str(index_dir)]
    assert run_cli("watch", "add", "all", "soort:antwoord", *where).returncode == 0
    index(corpus, index_dir)

    done = run_cli("watch", "report", "--atom", str(feeds), *where)
    assert done.returncode == 0, done.stderr
    raw = (feeds / "all.atom").read_text(encoding="utf-8")
    assert "\x1b" not in raw and "<script>" not in raw
    feed = ET.fromstring(raw)
    assert feed.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert (feed.findtext(f"{ATOM}{name}") or "").strip(), name
    entries = feed.findall(f"{ATOM}entry")
    expected = passage_ids("ah-tk-20232024-1064", index_dir) | passage_ids("ah-tk-20232024-302", index_dir)
    assert len(entries) == len(expected)
    for entry in entries:
        for name in ("id", "title", "updated"):
            assert (entry.findtext(f"{ATOM}{name}") or "").strip(), name
        assert entry.find(f"{ATOM}link").get("href", "").startswith("https://zoek.officielebekendmakingen.nl/")
    ids = [entry.findtext(f"{ATOM}id") for entry in entries]
    assert sorted(ids) == sorted("tag:kvsearch,2024:passage/" + passage_id.replace("#", "/") for passage_id in expected)
    titles = [entry.findtext(f"{ATOM}title") or "" for entry in entries]
    assert any('<script>"x" & y</script>' in title for title in titles)

    # Written again with nothing new, the feed keeps the same entries (a reader shows each once).
    assert run_cli("watch", "report", "--atom", str(feeds), *where).returncode == 1
    again = ET.parse(feeds / "all.atom").getroot()
    assert sorted(entry.findtext(f"{ATOM}id") for entry in again.findall(f"{ATOM}entry")) == sorted(ids)


def test_a_report_since_a_day_uses_the_documents_dates_and_is_not_remembered(tmp_path: Path, test_index: Path) -> None:
    env = {"KVSEARCH_WATCHES": str(tmp_path / "w.json")}
    where = ["--index", str(test_index)]
    assert run_cli("watch", "add", "answers", "soort:antwoord", *where, env=env).returncode == 0
    code, lines = report_lines("--since", "2024-11-20", *where, env=env)
    assert code == 0
    dates = {line["doc_id"]: line["date_answered"] for line in lines}
    assert dates and all(day >= "2024-11-20" for day in dates.values())
    assert "ah-tk-20242025-605" in dates and "ah-tk-20242025-608" not in dates  # answered 2024-11-19
    listed = run_cli("watch", "list", "--json", *where, env=env)
    assert json.loads(listed.stdout)["reported"] is None


# --------------------------------------------------------------------------------------------
# overdue


@pytest.fixture(scope="module")
def waiting_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Limburg documents: answered sets, unanswered questions and two notices of delay.

    One notice (the DOCX of nr. 600) is changed to be about question 2024Z18794 instead of
    2024Z17067, so that a question in the corpus has a notice of delay."""
    corpus = tmp_path_factory.mktemp("waiting") / "corpus"
    shutil.copytree(LIMBURG, corpus)
    notice = corpus / "Uitstel_beantwoording_vragen_van_het_lid-docx.txt"
    text = notice.read_text(encoding="utf-8")
    assert text.count("2024Z17067") == 2
    notice.write_text(text.replace("2024Z17067", "2024Z18794"), encoding="utf-8")
    index_dir = corpus.parent / "index"
    index(corpus, index_dir)
    return index_dir


def overdue(index_dir: Path, *args: str) -> tuple[int, list[dict]]:
    done = run_cli("overdue", "--json", "--index", str(index_dir), *args)
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, [json.loads(line) for line in done.stdout.splitlines()]


def test_overdue_lists_exactly_the_unanswered_questions_past_their_term(waiting_index: Path) -> None:
    # By hand, from the documents: 2024Z18794 and 2024Z18795 were submitted on 19 November 2024
    # (due 10 December), 2024Z18887 and 2024Z18888 on 20 November (due 11 December); nr. 545 on
    # 24 October with a notice of 14 November (due 5 December); 2024Z18794 has a notice of
    # 20 November (due 31 December). Every other set was answered by 20 November.
    code, found = overdue(waiting_index, "--as-of", "2024-12-11")
    assert code == 0
    assert [(q["doc_id"], q["days_overdue"], q["delay_notice"]) for q in found] == [
        ("ah-tk-20242025-545", 6, "ah-tk-20242025-545"),
        ("kv-tk-2024Z18795", 1, None),
    ]
    _code, later = overdue(waiting_index, "--as-of", "2025-01-02")
    late_18794 = [q for q in later if q["reference"] == "2024Z18794"]
    assert [(q["date_submitted"], q["due"], q["days_overdue"]) for q in late_18794] == [("2024-11-19", "2024-12-31", 2)]
    assert late_18794[0]["delay_notice"] == "ah-tk-20242025-600"


def test_overdue_counts_as_it_stood_on_the_day_asked(waiting_index: Path) -> None:
    # Nr. 593 was submitted on 10 October 2024 and answered on 18 November: on 10 November it
    # was ten days past its term; nr. 545 (submitted 24 October, notice 14 November) was not yet.
    _code, found = overdue(waiting_index, "--as-of", "2024-11-10")
    days = {q["doc_id"]: q["days_overdue"] for q in found}
    assert days["ah-tk-20242025-593"] == 10
    assert "ah-tk-20242025-545" not in days
    assert [q["date_submitted"] for q in found] == sorted(q["date_submitted"] for q in found)


def test_overdue_by_ministry_text_and_exit_codes(waiting_index: Path) -> None:
    code, found = overdue(waiting_index, "--as-of", "2024-12-11", "--ministerie", "BZK")
    assert (code, [q["doc_id"] for q in found]) == (0, ["kv-tk-2024Z18795"])
    text = run_cli("overdue", "--as-of", "2024-12-11", "--index", str(waiting_index))
    assert text.returncode == 0
    assert "   6 days overdue  ah-tk-20242025-545" in text.stdout
    assert text.stdout.rstrip().endswith("2 questions overdue on 2024-12-11")
    none = run_cli("overdue", "--as-of", "2020-01-01", "--index", str(waiting_index))
    assert (none.returncode, none.stdout, none.stderr) == (1, "", "")
    bad = run_cli("overdue", "--as-of", "11-12-2024", "--index", str(waiting_index))
    assert bad.returncode == 2 and "--as-of needs a day" in bad.stderr
    unknown = run_cli("overdue", "--ministerie", "XYZ", "--index", str(waiting_index))
    assert unknown.returncode == 2 and "XYZ" in unknown.stderr


# --------------------------------------------------------------------------------------------
# stats --delays


def test_delays_match_a_hand_count(tmp_path: Path) -> None:
    corpus, index_dir = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(TEST_CORPUS / "converted", corpus)
    shutil.copy(TEST_CORPUS / "seed" / "ah-tk-20232024-1064.md", corpus)
    index(corpus, index_dir)
    done = run_cli("stats", "--delays", "--json", "--index", str(index_dir))
    assert done.returncode == 0, done.stderr
    rows = {(r["ministry"], r["year"]): r for r in map(json.loads, done.stdout.splitlines())}
    # Submitted → answered, from each document's header:
    #   698  2014-10-03 → 2014-11-26  54 days  VWS
    #   302  2023-10-03 → 2023-10-24  21 days  Langdurige Zorg en Sport
    #   387  2023-10-02 → 2023-11-13  42 days  Buitenlandse Zaken
    #   1064 2024-01-29 → 2024-02-16  18 days  VWS
    #   1433 2024-02-29 → 2024-04-05  36 days  Natuur en Stikstof
    expected = {
        ("Volksgezondheid, Welzijn en Sport", "2014-2015"): (54, 0.0),
        ("Langdurige Zorg en Sport", "2023-2024"): (21, 1.0),
        ("Buitenlandse Zaken", "2023-2024"): (42, 0.0),
        ("Volksgezondheid, Welzijn en Sport", "2023-2024"): (18, 1.0),
        ("Natuur en Stikstof", "2023-2024"): (36, 0.0),
    }
    assert set(rows) == set(expected)
    for key, (days, within) in expected.items():
        assert (rows[key]["answers"], rows[key]["median_days"], rows[key]["p90_days"]) == (1, days, days)
        assert rows[key]["within_three_weeks"] == within
    text = run_cli("stats", "--delays", "--index", str(index_dir))
    assert "Natuur en Stikstof" in text.stdout and "   36.0   36      0%" in text.stdout


def test_delay_percentiles_are_values_of_the_group() -> None:
    from kvsearch.follow.delays import percentile

    days = [30, 10, 20, 50, 40, 60, 70, 80, 90, 100]
    assert percentile(days, 0.9) == 90
    assert percentile(days, 0.5) == 50
    assert percentile([7], 0.9) == 7


def test_the_follow_package_loads_no_whoosh_typer_or_textual() -> None:
    """It reads the index through the public API only: the engine stays the one Whoosh user."""
    import subprocess
    import sys

    modules = "kvsearch.follow.report, kvsearch.follow.atom, kvsearch.follow.overdue, kvsearch.follow.delays"
    code = f"import sys, {modules}; print(' '.join(sorted(sys.modules)))"
    loaded = set(
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    )
    assert "kvsearch.follow.report" in loaded
    assert not {"whoosh", "typer", "textual"} & loaded


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_report_that_could_not_be_written_out_comes_again(tmp_path: Path, test_index: Path) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "KVSEARCH_WATCHES": str(tmp_path / "w.json")}
    where = ["--index", str(test_index)]
    assert run_cli("watch", "add", "w", "asiel", *where, env=env).returncode == 0
    # The watch saw everything when it was added; forget that, as if it was added before the index.
    state = json.loads((tmp_path / "w.json").read_text(encoding="utf-8"))
    state["watches"]["w"]["seen"] = []
    (tmp_path / "w.json").write_text(json.dumps(state), encoding="utf-8")
    with open("/dev/full", "w") as full:
        lost = subprocess.run(
            [sys.executable, "-m", "kvsearch", "watch", "report", *where],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            timeout=300,
        )
    assert lost.returncode == 73, lost.stderr
    assert "cannot write output" in lost.stderr
    code, lines = report_lines(*where, env=env)
    assert code == 0 and lines
    assert report_lines(*where, env=env) == (1, [])


# --------------------------------------------------------------------------------------------
# a question and its answer, arriving on different nights


def feed_entries(path: Path) -> dict[str, str]:
    """The entries of an Atom feed: id → updated (the feed must parse and have its elements)."""
    feed = ET.parse(path).getroot()
    assert feed.tag == f"{ATOM}feed" and feed.findtext(f"{ATOM}id") and feed.findtext(f"{ATOM}updated")
    return {
        entry.findtext(f"{ATOM}id") or "": entry.findtext(f"{ATOM}updated") or "" for entry in feed.iter(f"{ATOM}entry")
    }


def test_an_answer_that_arrives_later_is_reported_once_and_ends_the_wait(tmp_path: Path) -> None:
    corpus, index_dir, feeds = tmp_path / "corpus", tmp_path / "index", tmp_path / "feeds"
    corpus.mkdir()
    shutil.copy(QUESTIONS_18792, corpus)
    index(corpus, index_dir)
    where = ["--index", str(index_dir)]
    assert run_cli("watch", "add", "aid", "ontwikkelingshulp", *where).returncode == 0
    # Submitted 19 November 2024, due 10 December: on 11 December one day overdue.
    code, waiting = overdue(index_dir, "--as-of", "2024-12-11")
    assert (code, [(q["doc_id"], q["due"], q["days_overdue"], q["delay_notice"]) for q in waiting]) == (
        0,
        [("kv-tk-2024Z18792", "2024-12-10", 1, None)],
    )
    assert run_cli("watch", "report", "--atom", str(feeds), *where).returncode == 1
    assert feed_entries(feeds / "aid.atom") == {}

    shutil.copy(ANSWERS_18792, corpus)  # the answer (AH 605, dated 20 November) comes in
    index(corpus, index_dir)
    code, lines = report_lines("--atom", str(feeds), *where)
    answer = passage_ids("ah-tk-20242025-605", index_dir)
    assert code == 0 and len(lines) == len(answer) == len({line["passage_id"] for line in lines})
    assert {line["passage_id"] for line in lines} == answer
    entries = feed_entries(feeds / "aid.atom")
    assert set(entries) == {"tag:kvsearch,2024:passage/" + passage.replace("#", "/") for passage in answer}
    assert len(set(entries.values())) == 1  # all first reported now

    time.sleep(1.1)  # a later report has a later time: the entries must keep theirs
    index(corpus, index_dir)
    again = run_cli("watch", "report", "--atom", str(feeds), *where)
    assert (again.returncode, again.stdout, again.stderr) == (1, "", "")
    assert feed_entries(feeds / "aid.atom") == entries
    assert overdue(index_dir, "--as-of", "2024-12-11") == (1, [])


# --------------------------------------------------------------------------------------------
# two reports at once


def answered_sets_with_a_watch(tmp_path: Path) -> tuple[Path, list[str], set[str]]:
    """An index whose watch ``answers`` has news: the passages of nr. 387, added after it."""
    corpus, index_dir = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    shutil.copy(TEST_CORPUS / "seed" / "ah-tk-20232024-1064.md", corpus)
    index(corpus, index_dir)
    where = ["--index", str(index_dir)]
    assert run_cli("watch", "add", "answers", "soort:antwoord", *where).returncode == 0
    shutil.copy(TEST_CORPUS / "converted" / "ah-tk-20232024-387.md", corpus)
    index(corpus, index_dir)
    return index_dir, where, passage_ids("ah-tk-20232024-387", index_dir)


def python(*args: str, stdin: int | None = None) -> subprocess.Popen[str]:
    """A Python process, running beside the test (``-m kvsearch …``: the real CLI)."""
    return subprocess.Popen(
        [sys.executable, *args],
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_reports_at_once_show_the_news_once_and_keep_the_file_whole(tmp_path: Path) -> None:
    index_dir, where, news = answered_sets_with_a_watch(tmp_path)
    runs = [python("-m", "kvsearch", "watch", "report", "--json", *where) for _ in range(2)]
    done = [(run.wait(timeout=300), run.stdout.read(), run.stderr.read()) for run in runs]  # type: ignore[union-attr]
    codes = sorted(code for code, _out, _err in done)
    assert codes in ([0, 1], [0, 75]), done
    reported = [json.loads(line)["passage_id"] for _code, out, _err in done for line in out.splitlines()]
    assert sorted(reported) == sorted(news)  # every new passage, and each once
    for code, out, err in done:
        if code == 75:
            assert out == "" and "watches file is in use by kvsearch watch report (pid" in err, err
    state = json.loads((tmp_path / "index.watches.json").read_text(encoding="utf-8"))
    assert news <= set(state["watches"]["answers"]["seen"])
    assert run_cli("watch", "report", *where).returncode == 1


def test_a_report_while_another_holds_the_file_exits_75_and_a_change_waits(tmp_path: Path) -> None:
    index_dir, where, news = answered_sets_with_a_watch(tmp_path)
    watches = tmp_path / "index.watches.json"
    before = watches.read_text(encoding="utf-8")
    holder = python(
        "-c",
        "import sys, kvsearch\n"
        f"with kvsearch.watches_lock(index_dir={str(index_dir)!r}):\n"
        "    print('held', flush=True)\n"
        "    sys.stdin.read()\n",
        stdin=subprocess.PIPE,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        busy = run_cli("watch", "report", *where)
        assert (busy.returncode, busy.stdout) == (75, "")
        assert f"watches file is in use by kvsearch watch report (pid {holder.pid} on " in busy.stderr
        assert busy.stderr.count("\n") == 1
        assert watches.read_text(encoding="utf-8") == before
        # Adding a watch waits for the holder, which lets go a moment later.
        adding = python("-m", "kvsearch", "watch", "add", "aid", "ontwikkelingshulp", *where)
        time.sleep(1.0)
        assert adding.poll() is None, "the add did not wait for the lock"
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=60)
    assert adding.wait(timeout=120) == 0, adding.stderr.read()  # type: ignore[union-attr]
    code, lines = report_lines(*where)
    assert code == 0 and {line["passage_id"] for line in lines} == news
    assert {line["watch"] for line in lines} == {"answers"}
    listed = run_cli("watch", "list", "--json", *where)
    assert [json.loads(line)["name"] for line in listed.stdout.splitlines()] == ["aid", "answers"]


# --------------------------------------------------------------------------------------------
# documents as `kvsearch fetch` brings them in


@pytest.mark.slow
def test_fetched_questions_and_their_later_answer(tmp_path: Path) -> None:
    """The official XML of questions 2024Z00123 (submitted 4 January 2024, due 25 January),
    fetched one night, and of their answer nr. 1100 (26 February 2024: 53 days) the next."""
    from tests.fetch_replay import Replay, Reply, document_path

    corpus, index_dir = tmp_path / "corpus", tmp_path / "index"
    where = ["--index", str(index_dir)]
    question, answer = "kv-tk-2024Z00123", "ah-tk-20232024-1100"
    replay = Replay()
    try:

        def fetch_and_index() -> None:
            done = run_cli("fetch", "--corpus", str(corpus), "--sru-url", replay.sru_url, "--rate", "100", "-q")
            assert done.returncode == 0, done.stderr
            index(corpus, index_dir)

        replay.on("sru:zonder-antwoord:1", Reply(body=replay.fixture("zonder-antwoord-page-1.xml")))
        replay.on("sru:aanhangsel:1", Reply(body=replay.fixture("empty.xml")))
        replay.on(document_path(question, "xml", "kv-tk/2024Z00123"), Reply(body=replay.fixture(f"{question}.xml")))
        fetch_and_index()
        assert run_cli("watch", "add", "wl", "wachtlijsten", *where).returncode == 0
        code, waiting = overdue(index_dir, "--as-of", "2024-02-01")
        assert (code, [(q["doc_id"], q["due"], q["days_overdue"]) for q in waiting]) == (
            0,
            [(question, "2024-01-25", 7)],
        )

        replay.on("sru:aanhangsel:1", Reply(body=replay.fixture("aanhangsel-later-answer.xml")))
        replay.on(document_path(answer, "xml"), Reply(body=replay.fixture(f"{answer}.xml")))
        fetch_and_index()
    finally:
        replay.close()
    found = run_cli("search", "wachtlijsten", "--json", "-n", "100", *where)
    matching = sorted(json.loads(line)["passage_id"] for line in found.stdout.splitlines())
    assert matching and all(passage_id.startswith(f"{answer}#") for passage_id in matching)
    code, lines = report_lines(*where)
    assert (code, sorted(line["passage_id"] for line in lines)) == (0, matching)
    assert report_lines(*where) == (1, [])
    # As it stood on 1 February the question still waited; by 1 March it was answered.
    code, waiting = overdue(index_dir, "--as-of", "2024-02-01")
    assert (code, [(q["reference"], q["days_overdue"]) for q in waiting]) == (0, [("2024Z00123", 7)])
    assert overdue(index_dir, "--as-of", "2024-03-01") == (1, [])
    done = run_cli("stats", "--delays", "--json", *where)
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert [(r["year"], r["answers"], r["median_days"], r["p90_days"], r["within_three_weeks"]) for r in rows] == [
        ("2023-2024", 1, 53, 53, 0.0)
    ]


@pytest.mark.slow
def test_delays_of_fetched_answers_with_the_services_new_ids(tmp_path: Path) -> None:
    from tests.fetch_replay import Replay, serve_archive

    corpus, index_dir = tmp_path / "corpus", tmp_path / "index"
    replay = Replay()
    try:
        serve_archive(replay)
        done = run_cli("fetch", "--corpus", str(corpus), "--sru-url", replay.sru_url, "--rate", "100", "-q")
        assert done.returncode == 0, done.stderr
    finally:
        replay.close()
    index(corpus, index_dir)
    done = run_cli("stats", "--delays", "--json", "--index", str(index_dir))
    rows = {(r["ministry"], r["year"]): r for r in map(json.loads, done.stdout.splitlines())}
    # By hand, from the documents' own dates:
    #   ah-tk-20232024-1076  2023-11-20 → 2024-02-20  92 days
    #   ah-tk-20232024-1893  2024-04-18 → 2024-06-03  46 days
    #   ah-1251487           2026-05-12 → 2026-06-02  21 days (within three weeks)
    assert {key: (r["answers"], r["median_days"], r["within_three_weeks"]) for key, r in rows.items()} == {
        ("Binnenlandse Zaken en Koninkrijksrelaties", "2023-2024"): (1, 92, 0.0),
        ("Buitenlandse Zaken", "2023-2024"): (1, 46, 0.0),
        ("Financien", "2025-2026"): (1, 21, 1.0),
    }
