"""Delta updates: what changed between two configurations, and applying it (sans-IO).

A fixture's identity is its index in ``ShowConfig.fixtures`` (names may
repeat), so changes are list edits by index: ``change``, ``remove``,
``insert`` (``ListEdit``).  :func:`compute_delta` emits them from the end of
each list toward its start, so every index is also an index into the base
configuration, and :func:`apply_delta` applies them in order.

Diffing: common prefix and suffix first (by identity, then equality: an
editor that rebuilds the tuple usually reuses the unchanged Fixture objects),
then, for the middle, a same-length region is compared index by index and a
region that grew or shrank is aligned with ``difflib.SequenceMatcher`` on
each item's JSON (bounded: past :data:`ALIGN_LIMIT` items it is replaced
whole, and the server then sends the full configuration instead, because
the delta is no longer smaller).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import msgspec

from shared.protocol.extensions import DeltaMessage, ListEdit, Revision
from shared.show.codec import group_to_dict
from shared.show.model import ShowConfig

T = TypeVar("T")

#: Largest middle region (items, either side) aligned with SequenceMatcher.
ALIGN_LIMIT = 4000

_json = msgspec.json.Encoder().encode


class DeltaError(ValueError):
    """A delta that does not fit the configuration it is applied to; the text says where."""


def _same(a: object, b: object) -> bool:
    return a is b or a == b


def diff_list(old: Sequence[T], new: Sequence[T], key: Callable[[T], Any]) -> list[ListEdit]:
    """Edits turning ``old`` into ``new``, highest index first (each index valid in ``old``)."""
    n_old, n_new = len(old), len(new)
    lo = 0
    top = min(n_old, n_new)
    while lo < top and _same(old[lo], new[lo]):
        lo += 1
    hi_old, hi_new = n_old, n_new
    while hi_old > lo and hi_new > lo and _same(old[hi_old - 1], new[hi_new - 1]):
        hi_old -= 1
        hi_new -= 1
    a, b = old[lo:hi_old], new[lo:hi_new]
    edits: list[ListEdit] = []
    if not a and not b:
        return edits
    if not a:
        return [ListEdit("insert", lo, len(b), tuple(b))]
    if not b:
        return [ListEdit("remove", lo, len(a))]
    if len(a) == len(b):
        for i in range(len(a) - 1, -1, -1):
            if not _same(a[i], b[i]):
                edits.append(ListEdit("change", lo + i, 1, (b[i],)))
        return edits
    if len(a) > ALIGN_LIMIT or len(b) > ALIGN_LIMIT:
        return [ListEdit("remove", lo, len(a)), ListEdit("insert", lo, len(b), tuple(b))]
    matcher = difflib.SequenceMatcher(None, [key(x) for x in a], [key(x) for x in b], autojunk=False)
    for tag, i1, i2, j1, j2 in reversed(matcher.get_opcodes()):
        if tag == "equal":
            continue
        if tag == "replace" and i2 - i1 == j2 - j1:
            for k in range(i2 - i1 - 1, -1, -1):
                edits.append(ListEdit("change", lo + i1 + k, 1, (b[j1 + k],)))
            continue
        if i2 > i1:
            edits.append(ListEdit("remove", lo + i1, i2 - i1))
        if j2 > j1:
            edits.append(ListEdit("insert", lo + i1, j2 - j1, tuple(b[j1:j2])))
    return edits


def compute_delta(old: ShowConfig, new: ShowConfig, base: Revision, revision: Revision) -> DeltaMessage:
    """The delta from ``old`` (at ``base``) to ``new`` (at ``revision``)."""
    return DeltaMessage(
        base=base,
        revision=revision,
        stage=None if old.stage == new.stage else new.stage,
        fixtures=tuple(diff_list(old.fixtures, new.fixtures, _json)),
        groups=tuple(diff_list(old.groups, new.groups, lambda g: _json(group_to_dict(g)))),
        fixture_count=len(new.fixtures),
        group_count=len(new.groups),
    )


def _apply_edits(items: list[Any], edits: Sequence[ListEdit], where: str) -> None:
    for n, e in enumerate(edits):
        size = len(items)
        if e.op == "change":
            if not 0 <= e.index < size:
                raise DeltaError(f"{where}[{n}]: change at index {e.index}, but there are {size} items")
            items[e.index] = e.items[0]
        elif e.op == "remove":
            if e.index + e.count > size:
                raise DeltaError(f"{where}[{n}]: remove {e.count} at index {e.index}, but there are {size} items")
            del items[e.index : e.index + e.count]
        else:
            if e.index > size:
                raise DeltaError(f"{where}[{n}]: insert at index {e.index}, but there are {size} items")
            items[e.index : e.index] = e.items


def apply_delta(config: ShowConfig, delta: DeltaMessage) -> ShowConfig:
    """``config`` with ``delta`` applied; raises DeltaError when it does not fit.

    The caller checks ``delta.base`` against the revision it holds first; the
    counts are checked here, so a delta for another configuration is caught
    even when the revisions were confused.
    """
    fixtures = list(config.fixtures)
    _apply_edits(fixtures, delta.fixtures, "delta: fixtures")
    if len(fixtures) != delta.fixture_count:
        raise DeltaError(f"delta: {len(fixtures)} fixtures after the edits, expected {delta.fixture_count}")
    groups = list(config.groups)
    _apply_edits(groups, delta.groups, "delta: groups")
    if len(groups) != delta.group_count:
        raise DeltaError(f"delta: {len(groups)} groups after the edits, expected {delta.group_count}")
    stage = config.stage if delta.stage is None else delta.stage
    return ShowConfig(stage, tuple(fixtures), tuple(groups))
