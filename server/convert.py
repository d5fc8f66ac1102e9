"""``show-creator convert IN OUT.json``: write our JSON show from any rig we can open.

IN is anything ``load_show`` opens (JSON, Show Creator YAML, QLC+ .qxw, MVR; see
``shared.show.importers``).  Warnings go to stderr as ``IN: where: problem``; the
show is written atomically with ``save_show``, or as an MVR scene when OUT ends in
``.mvr`` (``shared.show.importers.mvr_export``); OUT must end in ``.json`` or ``.mvr`` and
must not be IN.  Exit 0 on success, 2 when IN cannot
be read or OUT cannot be written (one line, never a traceback).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from shared.cli import OneLineParser
from shared.show import ShowFileError, load_show, save_show

EXIT_OK = 0
EXIT_FAILED = 2


def build_parser() -> OneLineParser:
    parser = OneLineParser(
        prog="show-creator convert",
        description="Convert a rig (JSON show, Show Creator YAML, QLC+ .qxw, MVR) into a JSON show file.",
    )
    parser.add_argument("source", metavar="IN", help="rig to read (.json, .yaml/.yml, .qxw, .mvr)")
    parser.add_argument("target", metavar="OUT.json", help="JSON show file to write (or OUT.mvr: an MVR scene)")
    return parser


def main(argv: Sequence[str]) -> int:
    args = build_parser().parse_args(argv)
    problem = _target_problem(args.source, args.target)
    if problem is not None:
        print(f"show-creator convert: {args.target}: {problem}", file=sys.stderr)
        return EXIT_FAILED
    try:
        config, issues = load_show(args.source)
    except ShowFileError as exc:
        print(f"show-creator convert: {exc}", file=sys.stderr)
        return EXIT_FAILED
    for issue in issues:
        print(f"{args.source}: {issue}", file=sys.stderr)
    try:
        if args.target.lower().endswith(".mvr"):
            from shared.show.importers.mvr_export import save_mvr

            written = save_mvr(config, args.target)
            for issue in written:
                print(f"{args.target}: {issue}", file=sys.stderr)
            issues = [*issues, *written]
        else:
            save_show(config, args.target)
    except OSError as exc:
        print(f"show-creator convert: {args.target}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_FAILED
    print(
        f"Wrote {args.target}: {len(config.fixtures)} fixtures, {len(config.groups)} groups"
        f"{f', {len(issues)} warnings' if issues else ''}",
        file=sys.stderr,
    )
    return EXIT_OK


def _target_problem(source: str, target: str) -> str | None:
    """Why OUT must not be written, or None: never over IN (a YAML rig replaced by JSON is
    lost), never JSON under another program's extension (``show.yaml``, ``show.txt``)."""
    if not target.lower().endswith((".json", ".mvr")):
        return "OUT must end in .json or .mvr (the JSON show or an MVR scene); nothing written"
    try:
        same = os.path.samefile(source, target)
    except OSError:  # OUT does not exist yet (or IN does not: load_show says so)
        same = os.path.abspath(source) == os.path.abspath(target)
    if same:
        return f"is the input file {source}; write the converted show under another name; nothing written"
    return None
