"""One web worker's memory: build the app as a gunicorn worker would, then serve queue pages.

`python -m bench.worker_memory --url URL --requests N` prints one JSON line: the resident set size
after the app is built and connected (baseline) and the peak after N pages (VmHWM): the first pages
of every filter and sort, pages deeper in the queue by following the cursor, and ticket pages.
"""

from __future__ import annotations

import argparse
import itertools
import json
import re

from bench import common, generate
from bench.bench_queue import ENGINEER, queue_urls, ticket_urls
from core.extensions import db


def _status_mb(field: str) -> float:
    """A memory figure of this process from /proc/self/status, in MB.

    VmHWM rather than getrusage's ru_maxrss: the latter carries the parent's peak over fork and exec,
    so a worker started by a big benchmark process would report that process's memory.
    """
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    app = generate.bench_app(args.url)
    client = common.signed_in_client(app, ENGINEER)
    with app.app_context():
        db.session.execute(db.select(1))
        db.session.remove()
    baseline = _status_mb("VmRSS")
    urls = itertools.cycle(["/queue", *queue_urls(app), *ticket_urls(app, 10)])
    served = 0
    cursor_url = "/queue"
    while served < args.requests:
        url = next(urls) if served % 3 else cursor_url
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"GET {url} answered {response.status_code}")
        served += 1
        if url == cursor_url:
            # Walk deeper into the queue: the next page's link carries the cursor.
            found = re.search(rb'href="(/queue\?[^"]*cursor=a[^"]*)"', response.data)
            cursor_url = found.group(1).decode().replace("&amp;", "&") if found else "/queue"
    peak = _status_mb("VmHWM")
    print(json.dumps({"baseline_mb": baseline, "peak_mb": peak, "requests": served}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
