"""Speed at archive scale, side by side: kvsearch, a naive Whoosh setup and SQLite FTS5.

    python bench/run.py --passages 100000 --out results.json

One run does all of it, on a corpus generated from real text (``bench/generate.py``):

1. generate the corpus (cached in ``--workdir`` for the next run with the same arguments);
2. parse it once with kvsearch's parser into ``passages.jsonl``, which the baselines index;
3. build each system's index (kvsearch from the documents, parsing included), measuring time
   and the peak memory of the build process; the systems take turns for ``--build-rounds``
   rounds and each keeps its fastest build (other work on a shared machine only ever adds
   time, and a full build's time varies from run to run by more than some margins);
4. warm queries: one worker process per system, the same fixed queries sent to each in turn,
   several rounds, so that machine noise hits all three alike (p50/p95);
5. the cold one-liner: a fresh process per search (``kvsearch "…"`` as a user runs it), the
   systems interleaved; a bare ``python -c pass`` is measured alongside for scale;
6. kvsearch only: the TUI's keystroke-to-results time in a pseudo-terminal, and the
   incremental rebuild after adding 1 % new documents, the fastest of
   ``--incremental-rounds``, each on a fresh copy of the full build's index.

It prints a table and writes JSON. Figures are meant as ratios within one run: these machines
are noisy, so absolute times from different runs do not compare. Nothing here passes or fails
on time; CI runs it at a small size only to see that it works.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.generate import generate  # noqa: E402
from bench.systems import SYSTEMS  # noqa: E402

SYSTEMS_SCRIPT = Path(__file__).with_name("systems.py")
OPERATORS = {"AND", "OR", "NOT", "EN", "OF", "NIET"}

#: The project's speed targets, as ratios of kvsearch to a baseline of the same run:
#: (baseline, measurement, sign, limit). ``warm_p95_ms_by_kind`` holds for every query kind.
TARGETS = [
    ("fts5", "warm_p50_ms", "≤", 2.0),
    ("fts5", "warm_p95_ms_by_kind", "≤", 2.0),
    ("fts5", "cold_ms", "≤", 2.0),
    ("whoosh_naive", "passages_per_s", "≥", 3.5),
    ("whoosh_naive", "index_mb", "≤", 1.0),
    ("whoosh_naive", "warm_p95_ms", "≤", 0.25),
    ("whoosh_naive", "cold_ms", "≤", 0.35),
]


# --------------------------------------------------------------------------------------------
# Corpus, passages, queries


def prepare_corpus(source: Path, workdir: Path, passages: int, seed: int) -> tuple[Path, dict[str, Any]]:
    """The generated corpus, reused when a previous run made the same one."""
    corpus = workdir / "corpus"
    stamp = workdir / "corpus.json"
    wanted = {"passages": passages, "seed": seed, "source": str(source.resolve())}
    if stamp.exists() and corpus.is_dir():
        recorded = json.loads(stamp.read_text())
        if recorded.get("arguments") == wanted:
            return corpus, recorded["summary"]
    shutil.rmtree(corpus, ignore_errors=True)
    summary = generate(source, corpus, passages, seed=seed)
    stamp.write_text(json.dumps({"arguments": wanted, "summary": summary}, default=str))
    return corpus, summary


def extract_passages(corpus: Path, out: Path, every: int = 1) -> int:
    """Every passage kvsearch's parser finds, one JSON line each, for the baselines.

    ``every``: parse only every n-th file (a run without baselines needs passages only to
    draw its queries from).
    """
    from kvsearch.analysis import vocabulary
    from kvsearch.ingest.corpus import iter_corpus, try_parse
    from kvsearch.ingest.pdf_sandbox import PdfWorker

    count = 0
    with PdfWorker() as worker, open(out, "w", encoding="utf-8") as handle:
        for number, item in enumerate(iter_corpus(corpus)):
            if number % every:
                continue
            document = try_parse(item, worker.extract)
            if isinstance(document, str):
                continue
            parties = {t for p in document.askers for t in vocabulary.party_terms(p.party)}
            ministry = document.answered_by.ministry if document.answered_by else ""
            day = document.date_answered or document.date_submitted or ""
            for passage in document.passages:
                record = {
                    "passage_id": f"{document.doc_id}#{passage.key}",
                    "title": document.title or "",
                    "question": passage.question,
                    "answer": passage.answer,
                    "party": ",".join(sorted(parties)),
                    "year": day[:4],
                    "ministry": ministry or "",
                }
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
                count += 1
    return count


def _words(text: str) -> list[str]:
    return [w for w in re.findall(r"[^\W\d_]+", text) if w.upper() not in OPERATORS]


def make_queries(passages: Path, count: int, seed: int) -> list[dict[str, Any]]:
    """A fixed mix of realistic queries, drawn from random passages with a fixed seed.

    One-, two- and three-word queries, phrases, party and year filters and long pasted
    questions, each taken from one passage so that it has answers at every corpus size.
    """
    rng = random.Random(seed)
    total = sum(1 for _ in open(passages, encoding="utf-8"))
    kinds = ["word"] * 8 + ["two"] * 8 + ["three"] * 6 + ["phrase"] * 6 + ["party"] * 3 + ["year"] * 3 + ["long"] * 6
    kinds = (kinds * (count // len(kinds) + 1))[:count]
    picks = sorted(rng.sample(range(total), min(total, len(kinds) * 3)))
    chosen: list[dict[str, Any]] = []
    with open(passages, encoding="utf-8") as handle:
        wanted = iter(picks)
        target = next(wanted, None)
        for number, line in enumerate(handle):
            if number == target:
                chosen.append(json.loads(line))
                target = next(wanted, None)
    rng.shuffle(chosen)
    queries: list[dict[str, Any]] = []
    for record in chosen:
        if len(queries) == len(kinds):
            break
        kind = kinds[len(queries)]
        question = _words(record["question"])
        content = [w for w in question if len(w) >= 5]
        spec: dict[str, Any] | None = None
        if kind in ("word", "two", "three", "party", "year") and content:
            size = {"word": 1, "two": 2, "three": 3}.get(kind, 1)
            spec = {"words": [w.lower() for w in rng.sample(content, min(size, len(content)))]}
            if kind == "party":
                parties = [p for p in record["party"].split(",") if p and " " not in p]
                if not parties:
                    continue
                spec["party"] = parties[0]
            if kind == "year":
                if not record["year"]:
                    continue
                spec["year"] = record["year"]
        elif kind == "phrase":
            answer = _words(record["answer"])
            if len(answer) >= 8:
                start = rng.randrange(len(answer) - 3)
                spec = {"words": [w.lower() for w in answer[start : start + rng.choice((2, 3))]], "phrase": True}
        elif kind == "long" and len(question) >= 12:
            spec = {"words": [w.lower() for w in question[:40]], "any": True}
        if spec:
            spec["kind"] = kind
            spec["source"] = record["passage_id"]  # the passage the words were taken from
            queries.append(spec)
    return queries


# --------------------------------------------------------------------------------------------
# Measuring


def run_measured(
    command: list[str], env: dict[str, str] | None = None
) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """Wall time (s) and peak memory (MB, the largest of the process and its children)."""
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen(command, stdout=out, stderr=err, text=True, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        done = subprocess.CompletedProcess(command, process.returncode, out.read(), err.read())
    return seconds, usage.ru_maxrss / 1024, done


def kvsearch_command() -> str:
    """The installed ``kvsearch`` script next to this Python, as a user runs it."""
    script = Path(sys.executable).parent / "kvsearch"
    return str(script) if script.exists() else shutil.which("kvsearch") or "kvsearch"


def clean_env() -> dict[str, str]:
    """The environment of a user's shell: no kvsearch settings, and Python may cache bytecode
    (PYTHONDONTWRITEBYTECODE would recompile every module of every cold start)."""
    skip = ("KVSEARCH_", "PYTHONDONTWRITEBYTECODE")
    return {k: v for k, v in os.environ.items() if not k.startswith(skip)} | {"NO_COLOR": "1"}


def build(system: str, corpus: Path, passages: Path, index: Path) -> dict[str, Any]:
    shutil.rmtree(index, ignore_errors=True)
    if system == "kvsearch":
        command = [kvsearch_command(), "index", "--full", "--quiet", "--corpus", str(corpus), "--index", str(index)]
    else:
        command = [sys.executable, str(SYSTEMS_SCRIPT), "build", system, str(index), str(passages)]
    seconds, peak, done = run_measured(command, env=clean_env())
    if done.returncode not in (0, 6):
        raise SystemExit(f"{system} build failed (exit {done.returncode}): {done.stderr.strip()[-500:]}")
    return {"build_s": round(seconds, 2), "peak_mb": round(peak, 1)}


def indexed_passages(index: Path) -> int:
    """The passages kvsearch's live generation holds (its manifest says)."""
    generation = index / (index / "CURRENT").read_text().strip()
    return int(json.loads((generation / "manifest.json").read_text())["passages"])


def index_megabytes(system: str, index: Path) -> float:
    if system == "kvsearch":
        index = index / (index / "CURRENT").read_text().strip()
    return round(sum(f.stat().st_size for f in index.rglob("*") if f.is_file()) / 1e6, 1)


class Worker:
    """A system's warm search process: it opens its index once and answers queries."""

    def __init__(self, system: str, index: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(SYSTEMS_SCRIPT), "serve", system, str(index)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=clean_env(),
        )
        assert json.loads(self.process.stdout.readline())["ready"]  # type: ignore[union-attr]

    def ask(self, spec: dict[str, Any]) -> dict[str, Any]:
        self.process.stdin.write(json.dumps(spec) + "\n")  # type: ignore[union-attr]
        self.process.stdin.flush()  # type: ignore[union-attr]
        return json.loads(self.process.stdout.readline())  # type: ignore[union-attr]

    def close(self) -> None:
        self.process.stdin.close()  # type: ignore[union-attr]
        self.process.wait()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def warm_queries(
    systems: list[str], indexes: dict[str, Path], queries: list[dict[str, Any]], rounds: int
) -> dict[str, Any]:
    workers = {s: Worker(s, indexes[s]) for s in systems}
    times: dict[str, list[float]] = {s: [] for s in systems}
    by_kind: dict[str, dict[str, list[float]]] = {s: {} for s in systems}
    hits: dict[str, list[int]] = {s: [] for s in systems}
    errors: dict[str, list[str]] = {s: [] for s in systems}
    found: dict[str, dict[str, list[bool]]] = {s: {} for s in systems}
    try:
        for spec in queries:  # one untimed pass: caches and lazy loads are part of "warm"
            for system in systems:
                workers[system].ask(spec)
        for number in range(rounds):
            for position, spec in enumerate(queries):
                order = systems[(number + position) % len(systems) :] + systems[: (number + position) % len(systems)]
                for system in order:
                    answer = workers[system].ask(spec)
                    times[system].append(answer["ms"])
                    by_kind[system].setdefault(spec["kind"], []).append(answer["ms"])
                    if number == 0:
                        hits[system].append(answer["hits"])
                        found[system].setdefault(spec["kind"], []).append(spec["source"] in answer["top"])
                        if answer["error"]:
                            errors[system].append(f"{spec['kind']}: {answer['error']}")
    finally:
        for worker in workers.values():
            worker.close()
    return {
        s: {
            "warm_p50_ms": round(statistics.median(times[s]), 2),
            "warm_p95_ms": round(percentile(times[s], 0.95), 2),
            "warm_p95_ms_by_kind": {k: round(percentile(v, 0.95), 2) for k, v in sorted(by_kind[s].items())},
            "queries_with_hits": sum(1 for h in hits[s] if h),
            # A sanity check of relevance at scale: how often the passage a query was drawn
            # from is among the top 10 (meaningful for long questions and phrases).
            "source_in_top10_by_kind": {k: round(sum(v) / len(v), 2) for k, v in sorted(found[s].items())},
            "query_errors": errors[s][:5],
        }
        for s in systems
    }


def cold_one_liners(
    systems: list[str], indexes: dict[str, Path], queries: list[dict[str, Any]], runs: int
) -> dict[str, Any]:
    """Fresh processes, interleaved; ``python -c pass`` alongside as the floor of any process."""
    from bench.systems import query_text

    times: dict[str, list[float]] = {s: [] for s in [*systems, "python"]}
    env = clean_env()
    order = [*systems, "python"]
    for number in range(runs):
        for position, spec in enumerate(queries):
            shift = (number + position) % len(order)  # each system starts a round in turn
            for system in order[shift:] + order[:shift]:
                if system == "python":
                    command = [sys.executable, "-c", "pass"]
                elif system == "kvsearch":
                    command = [kvsearch_command(), query_text("kvsearch", spec), "--index", str(indexes[system])]
                else:
                    command = [
                        sys.executable,
                        str(SYSTEMS_SCRIPT),
                        "cold",
                        system,
                        str(indexes[system]),
                        json.dumps(spec),
                    ]
                started = time.perf_counter()
                done = subprocess.run(command, capture_output=True, text=True, env=env)
                times[system].append((time.perf_counter() - started) * 1000)
                if done.returncode not in (0, 1):
                    raise SystemExit(
                        f"{system} cold search failed (exit {done.returncode}): {done.stderr.strip()[-300:]}"
                    )
    return {s: round(statistics.median(v), 1) for s, v in times.items()}


def tui_keystroke(index: Path, queries: list[dict[str, Any]], words: int) -> dict[str, float]:
    """Keystroke → results on screen in a real pseudo-terminal (bench/bench_tui.py)."""
    spec = importlib.util.spec_from_file_location("bench_tui", ROOT / "bench" / "bench_tui.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    typed = [q["words"][0] for q in queries if q["kind"] == "word"][:words]
    times = module.in_a_terminal(index, runs=1, queries=typed)
    return {
        "tui_launch_ms": round(statistics.median(times["launch"]) * 1000, 1),
        "tui_keystroke_ms": round(statistics.median(times["keystroke (debounced)"]) * 1000, 1),
        "tui_enter_ms": round(statistics.median(times["Enter"]) * 1000, 1),
    }


def fastest(runs: list[dict[str, Any]], seconds: str, peak: str) -> dict[str, Any]:
    """The fastest of ``runs`` (its time under ``seconds``), every run's time, and the highest
    peak memory of them all."""
    return {
        seconds: min(r[seconds] for r in runs),
        f"{seconds.removesuffix('_s')}_runs_s": [r[seconds] for r in runs],
        peak: max(r[peak] for r in runs),
    }


def incremental(
    corpus: Path, index: Path, source: Path, passages: int, seed: int, first_number: int, rounds: int
) -> dict[str, Any]:
    """Add 1 % new documents (numbered after the corpus's, so new ids) and update the index:
    ``rounds`` times, each on a fresh copy of the full build's index (an update leaves one
    segment more, which would make the next round's work differ)."""
    extra = corpus / "zz-new-1pct"
    shutil.rmtree(extra, ignore_errors=True)
    generate(source, extra, max(1, passages // 100), seed=seed + 1, first_number=first_number)
    full = index.with_name(index.name + "-full")
    shutil.rmtree(full, ignore_errors=True)
    index.rename(full)
    command = [kvsearch_command(), "index", "--quiet", "--corpus", str(corpus), "--index", str(index)]
    runs = []
    try:
        for _ in range(rounds):
            shutil.rmtree(index, ignore_errors=True)
            shutil.copytree(full, index)
            seconds, peak, done = run_measured(command, env=clean_env())
            if done.returncode not in (0, 6):
                raise SystemExit(f"incremental build failed (exit {done.returncode}): {done.stderr.strip()[-500:]}")
            runs.append({"incremental_1pct_s": round(seconds, 2), "incremental_peak_mb": round(peak, 1)})
    finally:
        shutil.rmtree(extra, ignore_errors=True)
        # The work folder keeps the full build's index, not the last round's updated copy:
        # a later run's --reuse-build and bench/compare.py measure the corpus as generated.
        shutil.rmtree(index, ignore_errors=True)
        full.rename(index)
    return fastest(runs, "incremental_1pct_s", "incremental_peak_mb")


# --------------------------------------------------------------------------------------------
# Report


def ratios(results: dict[str, Any], systems: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    kv = results["kvsearch"]
    for baseline in systems:
        if baseline == "kvsearch":
            continue
        other = results[baseline]
        out[f"kvsearch/{baseline}"] = {
            key: round(kv[key] / other[key], 3)
            for key in ("build_s", "passages_per_s", "peak_mb", "index_mb", "warm_p50_ms", "warm_p95_ms", "cold_ms")
            if other.get(key) and kv.get(key) is not None
        }
    if kv.get("incremental_1pct_s") and kv.get("build_s"):
        out["kvsearch incremental_1pct/full"] = round(kv["incremental_1pct_s"] / kv["build_s"], 3)
    return out


def targets(results: dict[str, Any]) -> dict[str, Any]:
    """Each target whose baseline ran: the ratio, the target and whether it is met, keyed
    ``measurement/baseline`` (``warm_p95_ms[kind]/fts5`` for each query kind)."""
    out: dict[str, Any] = {}
    kv = results["kvsearch"]

    def judge(name: str, value: float, sign: str, limit: float) -> None:
        met = value <= limit if sign == "≤" else value >= limit
        out[name] = {"ratio": round(value, 3), "target": f"{sign} {limit}", "met": met}

    for baseline, key, sign, limit in TARGETS:
        other = results.get(baseline)
        if not other:
            continue
        if key == "warm_p95_ms_by_kind":
            for kind, ms in sorted(kv.get(key, {}).items()):
                if other.get(key, {}).get(kind):
                    judge(f"warm_p95_ms[{kind}]/{baseline}", ms / other[key][kind], sign, limit)
        elif other.get(key) and kv.get(key) is not None:
            judge(f"{key}/{baseline}", kv[key] / other[key], sign, limit)
    share = results["ratios"].get("kvsearch incremental_1pct/full")
    if share is not None:
        out["incremental_1pct_share"] = {"ratio": share, "target": "≤ 0.05", "met": share <= 0.05}
    return out


def print_table(results: dict[str, Any], systems: list[str]) -> None:
    rows = [
        ("build (s)", "build_s", "{:.1f}"),
        ("passages/s", "passages_per_s", "{:.0f}"),
        ("build peak memory (MB)", "peak_mb", "{:.0f}"),
        ("index size (MB)", "index_mb", "{:.1f}"),
        ("warm query p50 (ms)", "warm_p50_ms", "{:.1f}"),
        ("warm query p95 (ms)", "warm_p95_ms", "{:.1f}"),
        ("cold one-liner p50 (ms)", "cold_ms", "{:.0f}"),
    ]
    print(
        f"\n{results['passages']:,} passages, {results['documents']:,} documents "
        f"(python -c pass: {results['python_start_ms']:.0f} ms)\n"
    )
    print(f"{'':<26}" + "".join(f"{s:>14}" for s in systems))
    for label, key, fmt in rows:
        print(
            f"{label:<26}"
            + "".join(f"{fmt.format(results[s][key]) if results[s].get(key) is not None else '-':>14}" for s in systems)
        )
    kv = results["kvsearch"]
    for key, label in (
        ("incremental_1pct_s", "incremental +1 % (s)"),
        ("tui_keystroke_ms", "TUI keystroke→results (ms)"),
        ("tui_enter_ms", "TUI Enter→results (ms)"),
    ):
        if key in kv:
            print(f"{label:<26}{kv[key]:>14}")
    print(f"\n{results['method']}:")
    for s in systems:
        if results[s].get("build_runs_s"):
            print(f"  {s} builds (s): {results[s]['build_runs_s']}")
    if kv.get("incremental_1pct_runs_s"):
        print(f"  kvsearch incremental builds (s): {kv['incremental_1pct_runs_s']}")
    print("\nkvsearch as a share of each baseline (same run):")
    for name, values in results["ratios"].items():
        print(f"  {name}: {values}")
    print("\ntargets, as kvsearch / baseline:")
    for key, value in results["targets"].items():
        print(f"  {key:<30} {value['ratio']:>8}  target {value['target']:<7} {'met' if value['met'] else 'NOT met'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=Path("results.json"))
    parser.add_argument("--source", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--workdir", type=Path, help="Keeps the corpus and indexes (default: a temporary folder).")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--systems", default=",".join(SYSTEMS), help="Comma-separated: kvsearch,whoosh_naive,fts5.")
    parser.add_argument("--queries", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=5, help="Warm rounds over all queries.")
    parser.add_argument("--cold-runs", type=int, default=3, help="Fresh processes per cold query and system.")
    parser.add_argument("--no-tui", action="store_true")
    parser.add_argument("--tui-words", type=int, default=5, help="One-word queries typed into the TUI.")
    parser.add_argument(
        "--build-rounds", type=int, default=2, help="Full builds per system, in turns; the fastest counts."
    )
    parser.add_argument("--incremental-rounds", type=int, default=3, help="Incremental builds; the fastest counts.")
    parser.add_argument(
        "--reuse-build", type=Path, help="JSON with build_s and peak_mb of the kvsearch index already in --workdir."
    )
    args = parser.parse_args()
    systems = [s for s in args.systems.split(",") if s]
    if "kvsearch" not in systems or not set(systems) <= set(SYSTEMS):
        parser.error(f"--systems must include kvsearch and name only {', '.join(SYSTEMS)}")
    if not args.source.is_dir():
        parser.error(f"no source corpus at {args.source}")

    with tempfile.TemporaryDirectory(prefix="kvsearch-bench-") as scratch:
        workdir = args.workdir or Path(scratch)
        workdir.mkdir(parents=True, exist_ok=True)
        step = _Steps()
        step("generating the corpus")
        corpus, summary = prepare_corpus(args.source, workdir, args.passages, args.seed)
        step("parsing it once for the baselines")
        passages_file = workdir / "passages.jsonl"
        baselines = len(systems) > 1
        passages = extract_passages(corpus, passages_file, every=1 if baselines else 50)
        queries = make_queries(passages_file, args.queries, args.seed)
        results: dict[str, Any] = {
            "passages": passages,
            "documents": summary.get("documents"),
            "generated": summary,
            "queries": len(queries),
            "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "method": f"fastest of {max(1, args.build_rounds)} full builds per system, taking turns, and of "
            f"{max(1, args.incremental_rounds)} incremental builds",
        }
        indexes = {s: workdir / f"index-{s}" for s in systems}
        builds: dict[str, list[dict[str, Any]]] = {s: [] for s in systems}
        for round_ in range(1, max(1, args.build_rounds) + 1):
            for system in systems:
                if system == "kvsearch" and args.reuse_build:
                    continue
                step(f"building {system} (round {round_})")
                builds[system].append(build(system, corpus, passages_file, indexes[system]))
        for system in systems:
            if system == "kvsearch" and args.reuse_build:
                # A build measured before (e.g. the hour-long 1M build, by an earlier commit
                # with the same index format): its figures, and its index for the rest.
                results[system] = {
                    k: v
                    for k, v in json.loads(args.reuse_build.read_text()).items()
                    if k in ("build_s", "peak_mb", "commit")
                }
            else:
                results[system] = fastest(builds[system], "build_s", "peak_mb")
            # kvsearch counts what it indexed; the baselines index passages.jsonl.
            count = indexed_passages(indexes[system]) if system == "kvsearch" else passages
            results[system]["passages"] = count
            results[system]["passages_per_s"] = round(count / results[system]["build_s"], 1)
            results[system]["index_mb"] = index_megabytes(system, indexes[system])
        results["passages"] = results["kvsearch"]["passages"]
        step(f"warm queries ({len(queries)} × {args.rounds} rounds per system)")
        for system, figures in warm_queries(systems, indexes, queries, args.rounds).items():
            results[system].update(figures)
        step("cold one-liners")
        cold_set = [q for q in queries if q["kind"] in ("word", "two", "party")][:6]
        cold = cold_one_liners(systems, indexes, cold_set, args.cold_runs)
        results["python_start_ms"] = cold.pop("python")
        for system, value in cold.items():
            results[system]["cold_ms"] = value
        if not args.no_tui:
            step("TUI keystroke to results")
            results["kvsearch"].update(tui_keystroke(indexes["kvsearch"], queries, args.tui_words))
        step(f"incremental rebuild, 1 % new documents ({args.incremental_rounds} rounds)")
        results["kvsearch"].update(
            incremental(
                corpus,
                indexes["kvsearch"],
                args.source,
                args.passages,
                args.seed,
                summary["next_number"],
                max(1, args.incremental_rounds),
            )
        )
        results["ratios"] = ratios(results, systems)
        results["targets"] = targets(results)
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print_table(results, systems)
    print(f"\nwritten to {args.out}")


class _Steps:
    """One line per step on stderr, with the time the previous step took."""

    def __init__(self) -> None:
        self.started = time.perf_counter()

    def __call__(self, text: str) -> None:
        now = time.perf_counter()
        print(f"[{now - self.started:7.1f} s] {text}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
