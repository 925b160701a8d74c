"""`python -m bench`: run every benchmark in turn, each printing its figures next to its targets.

Each runs in its own process so one benchmark's caches and memory never flatter the next.
"""

from __future__ import annotations

import subprocess
import sys

BENCHMARKS = [
    "bench.bench_clock",
    "bench.bench_sla",
    "bench.bench_mail",
    "bench.bench_kb",
    "bench.bench_reviews",
]


def main() -> int:
    failed = []
    for name in BENCHMARKS:
        print(f"\n== {name}", flush=True)
        if subprocess.run([sys.executable, "-m", name], check=False).returncode:
            failed.append(name)
    if failed:
        print("\nmissed a target or failed: " + ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
