"""Writing groups of fixture indices as the member names a show file holds.

Groups name their members and fixture names may repeat (QLC+ and MVR identify
fixtures by ID), so ``ShowConfig.group_members`` reads repeated names by order
of mention.  :func:`member_names` is its inverse: the names to write so that
reading them back gives the intended fixtures, or which fixtures stand in the way.
Importers rename those (with a warning); the Show Creator editor refuses the edit.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["member_names"]


def member_names(names: Sequence[str], groups: Sequence[Sequence[int]]) -> list[list[str]] | tuple[int, list[int]]:
    """Each group's member names, for ``groups`` given as fixture indices (``names``: every
    fixture's name), listed so that the order-of-mention rule of ``ShowConfig.group_members``
    resolves them to exactly those indices.

    The k-th mention of name N across the groups (in group order) is the k-th fixture
    named N, counting round again past the last; a mention of a fixture already in the
    group adds nothing.  So each group takes the next run of N's fixtures: a group with
    every fixture named N may mention N a few extra times to move the count on to where
    the next group that needs N starts.  A group wanting some other choice of N's
    fixtures cannot be written: then ``(group index, fixtures)`` is returned instead, the
    group's members named N that do not continue the run (renaming them lets it be written).
    (Members of one name come out in the run's order, which may differ from the file's.)
    """
    by_name: dict[str, list[int]] = {}
    for i, n in enumerate(names):
        by_name.setdefault(n, []).append(i)
    position = {i: k for ix in by_name.values() for k, i in enumerate(ix)}
    groups = [list(dict.fromkeys(g)) for g in groups]  # a fixture once per group
    wanted = [_by_name(names, g) for g in groups]
    count: dict[str, int] = {}
    out: list[list[str]] = []
    for gi, g in enumerate(groups):
        extra: list[str] = []
        for n, members in wanted[gi].items():
            size, c = len(by_name[n]), count.get(n, 0)
            have = {position[i] for i in members}
            if len(have) == size:
                start = _next_start(n, gi, wanted, position, size)
                more = 0 if start is None else (start - c) % size
                extra += [n] * more
                count[n] = c + size + more
            elif have == {(c + k) % size for k in range(len(have))}:
                count[n] = c + len(have)
            else:
                run = 0
                while (c + run) % size in have:
                    run += 1
                fits = {by_name[n][(c + k) % size] for k in range(run)}
                return gi, [i for i in members if i not in fits]
        out.append([names[i] for i in g] + extra)
    return out


def _by_name(names: Sequence[str], members: Sequence[int]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for i in members:
        out.setdefault(names[i], []).append(i)
    return out


def _next_start(
    name: str, after: int, wanted: Sequence[dict[str, list[int]]], position: dict[int, int], size: int
) -> int | None:
    """Where (0-based, in the fixtures named ``name``) the next group after ``after`` that
    takes only some of them must start counting; None when no such group needs a start."""
    for members in wanted[after + 1 :]:
        if name not in members:
            continue
        have = {position[i] for i in members[name]}
        if len(have) == size:
            return None
        for p in sorted(have):
            if (p - 1) % size not in have:
                return p
    return None
