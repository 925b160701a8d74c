"""`python -m bench [--full] [--pg-url URL] [--only NAME...]`: every benchmark, one table.

Each module bench/bench_*.py with a `rows(full)` function (or `run(args)`) runs in its own process
(bench/run_one.py) and returns rows; the runner prints them as one table: figure, result, target, floor
(the same work done by the layer below, measured in the same run) and ratio (result over floor). Each
module's own output goes to instance/bench/last-run.log. The default sizes finish in a few minutes;
--full runs the sizes the targets are stated for (a million tickets on PostgreSQL: allow half an hour
the first time, while the data is generated). PostgreSQL benchmarks use --pg-url (default
postgresql://postgres@127.0.0.1:5432/bench, created when missing), passed on as BENCH_PG_URL.
Exits 1 when a target is missed or a benchmark fails.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import common

HEADERS = ("figure", "result", "target", "floor", "ratio", "met")


def discover() -> list[str]:
    """The bench.bench_* modules, by name."""
    folder = Path(__file__).resolve().parent
    return [f"bench.{path.stem}" for path in sorted(folder.glob("bench_*.py"))]


def takes_part(name: str) -> bool:
    """Whether the module has a top-level rows() or run(), read from its source (not imported here:
    importing a benchmark loads the app, which the runner itself never does)."""
    source = (Path(__file__).resolve().parent / f"{name.split('.')[-1]}.py").read_text(encoding="utf-8")
    return "\ndef rows(" in source or "\ndef run(" in source


def run_module(name: str, full: bool, log) -> list[dict]:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        out = handle.name
    command = [sys.executable, "-m", "bench.run_one", name, out, *(["--full"] if full else [])]
    log.write(f"\n== {name}\n")
    log.flush()
    try:
        done = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, check=False)
        if done.returncode:
            return [common.row(f"{name}: failed (exit {done.returncode}, see the log)", "", "", met=False)]
        with open(out, encoding="utf-8") as found:
            return json.load(found)
    finally:
        os.unlink(out)


def table(rows: list[dict]) -> str:
    """A Markdown table, so it can be pasted into an issue as it is."""
    cells = [[_cell(key, row.get(key)) for key in HEADERS] for row in rows]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(HEADERS)]

    def line(values) -> str:
        return "| " + " | ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)) + " |"

    return "\n".join([line(HEADERS), line(["-" * w for w in widths]), *map(line, cells)])


def _cell(key: str, value) -> str:
    if key == "met":
        return {True: "yes", False: "NO", None: ""}[value]
    if key == "ratio":
        return "" if value is None else f"{value:.1f}x"
    return "" if value is None else str(value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="the sizes the targets are stated for")
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", common.PG_URL))
    parser.add_argument("--only", nargs="*", default=[], help="module names (or parts of them) to run")
    args = parser.parse_args(argv)
    os.environ["BENCH_PG_URL"] = args.pg_url
    names = [n for n in discover() if takes_part(n) and (not args.only or any(o in n for o in args.only))]
    common.BENCH_DIR.mkdir(parents=True, exist_ok=True)
    log_path = common.BENCH_DIR / "last-run.log"
    rows: list[dict] = []
    with open(log_path, "w", encoding="utf-8") as log:
        for name in names:
            began = time.perf_counter()
            print(f"{name} ...", end=" ", flush=True, file=sys.stderr)
            rows += run_module(name, args.full, log)
            print(f"{time.perf_counter() - began:.0f} s", file=sys.stderr, flush=True)
    print(f"\nAftercare benchmarks ({'full' if args.full else 'default'} sizes; details in {log_path})\n")
    print(table(rows))
    missed = [r["figure"] for r in rows if r.get("met") is False]
    if missed:
        print("\nmissed or failed: " + "; ".join(missed))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
