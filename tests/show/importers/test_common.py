"""``finish``: whatever groups a file has, the show's groups mean the same fixtures."""

from __future__ import annotations

import random

import pytest

from shared.show.importers._common import Draft, ImportedGroup, distinct_color, finish


def _draft(rng: random.Random) -> tuple[Draft, list[list[int]]]:
    n = rng.randint(1, 9)
    pool = ["Par", "Spot", "Wash"][: rng.randint(1, 3)]
    fixtures = [
        {"name": rng.choice(pool), "universe": 1, "address": 1 + 8 * i,
         "position": {"x": float(i), "y": 0.0, "z": 3.0}}
        for i in range(n)
    ]
    wanted = [rng.sample(range(n), rng.randint(1, n)) for _ in range(rng.randint(0, 4))]
    groups = [ImportedGroup(f"G{k}", distinct_color(k), list(m)) for k, m in enumerate(wanted)]
    return Draft(stage={"width": 20.0, "height": 10.0}, fixtures=fixtures, groups=groups), wanted


@pytest.mark.parametrize("seed", range(300))
def test_groups_always_mean_the_files_fixtures(seed: int) -> None:
    draft, wanted = _draft(random.Random(seed))
    original = [f["name"] for f in draft.fixtures]
    config, warnings = finish("rig.qxw", draft)
    assert [set(config.group_members(k)) for k in range(len(wanted))] == [set(m) for m in wanted]
    names = [f.name for f in config.fixtures]
    changed = [i for i, (a, b) in enumerate(zip(original, names, strict=True)) if a != b]
    # a rename only ever adds " (k)", and only with a warning that names the group and the file
    assert all(names[i].startswith(original[i] + " (") for i in changed)
    renames = [w for w in warnings if "renamed" in w.problem]
    assert bool(changed) == bool(renames)
    assert all(w.where.startswith('group "') and "rig.qxw" in w.problem for w in renames)
    assert len({w.where for w in renames}) == len(renames)  # one warning per group
    if len(set(original)) == len(original):
        assert not changed  # unique names never need a rename
    if all(sorted(m) == [i for i in range(len(original)) if original[i] in {original[j] for j in m}] for m in wanted):
        assert not changed  # groups that each take every fixture of their names never do either
