"""Run every benchmark and print one table (``make bench``).

``--quick`` runs fewer repetitions; ``--markdown FILE`` also writes the table
as Markdown (the README's Performance section is pasted from it).
"""

from __future__ import annotations

import argparse
import importlib
import platform
import sys
import time
from pathlib import Path

from bench.common import Row, format_table

MODULES = (
    "bench_protocol", "bench_client", "bench_server", "bench_wire", "bench_render",
    "bench_light", "bench_dmx", "bench_import", "bench_app",
)


def _markdown(rows: list[Row]) -> str:
    out = ["| benchmark | ours | baseline | ratio | target |", "|---|---:|---:|---:|---|"]
    for r in rows:
        base = f"{r['baseline']:.3g}" if r["baseline"] is not None else "–"
        ratio = f"{r['ratio']:.2f}" if r["ratio"] is not None else "–"
        out.append(f"| {r['name']} | {r['value']:.3g} {r['unit']} | {base} | {ratio} | {r['target']} |")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--markdown", type=Path, help="also write the table as Markdown here")
    parser.add_argument("only", nargs="*", help=f"modules to run (default: all of {', '.join(MODULES)})")
    args = parser.parse_args(argv)

    rows: list[Row] = []
    for name in args.only or MODULES:
        module = importlib.import_module(f"bench.{name}")
        start = time.perf_counter()
        print(f"# {name} ...", file=sys.stderr, flush=True)
        rows.extend(module.run(quick=args.quick))
        print(f"# {name} done in {time.perf_counter() - start:.1f} s", file=sys.stderr, flush=True)
    print(f"Machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}")
    print(format_table(rows))
    if args.markdown:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(_markdown(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
