"""`python -m bench.run_one MODULE OUT [--full]`: one benchmark module's rows, as JSON in the file OUT.

The runner (`python -m bench`) starts one of these per module, so one benchmark's caches, connections
and memory never flatter the next. A module takes part by having `rows(full: bool) -> list[dict]`
(or `run(args) -> list[dict]`, given an argparse namespace with `full` and `pg_url`).
"""

from __future__ import annotations

import argparse
import importlib
import json

from bench import common


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("module")
    parser.add_argument("out")
    parser.add_argument("--full", action="store_true")
    args = parser.parse_args()
    module = importlib.import_module(args.module)
    if hasattr(module, "rows"):
        found = module.rows(args.full)
    else:
        found = module.run(argparse.Namespace(full=args.full, pg_url=common.pg_url()))
    with open(args.out, "w", encoding="utf-8") as out:
        json.dump(list(found), out, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
