"""What the viewer knows about the show, and what changed with each new config.

The client hands over a whole ``ShowConfig`` after every change; the viewer
should not rebuild 10,000 fixtures because one moved.  ``ShowState.apply``
returns a ``ConfigDiff`` naming exactly which fixtures and groups were added,
removed or changed (compared by value: the model is frozen), and which
fixtures changed colour because group membership or colours moved.

Fixtures are identified by their *index* in ``ShowConfig.fixtures``: names may
repeat (QLC+ and MVR identify fixtures by ID).  Across two configurations a
fixture is matched by its name and how many fixtures of that name come before
it (the k-th "Retro Flat Par" is the k-th one again), so inserting or removing
a fixture does not make every later one look changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from shared.protocol.delta import DeltaError, apply_delta
from shared.protocol.extensions import DeltaMessage
from shared.show import Fixture, Group, ShowConfig, Stage

#: A fixture's identity across configurations: (name, occurrence of that name).
Key = tuple[str, int]


@dataclass(frozen=True, slots=True)
class ConfigDiff:
    """Difference between two consecutive configurations.

    Fixture entries are indices: ``removed_fixtures`` into the *old*
    configuration, every other one into the new.  Group entries are names.
    """

    added_fixtures: tuple[int, ...] = ()
    removed_fixtures: tuple[int, ...] = ()
    changed_fixtures: tuple[int, ...] = ()
    added_groups: tuple[str, ...] = ()
    removed_groups: tuple[str, ...] = ()
    changed_groups: tuple[str, ...] = ()
    stage_changed: bool = False
    #: Fixtures (present in the new config) whose group colour is different now.
    recolored_fixtures: tuple[int, ...] = ()
    #: The list of problems (``ShowConfig.problems``) is different.
    problems_changed: bool = False

    @property
    def is_empty(self) -> bool:
        return not (
            self.added_fixtures
            or self.removed_fixtures
            or self.changed_fixtures
            or self.added_groups
            or self.removed_groups
            or self.changed_groups
            or self.stage_changed
            or self.recolored_fixtures
            or self.problems_changed
        )

    @property
    def fixtures_changed(self) -> bool:
        """True when any fixture was added, removed or changed."""
        return bool(self.added_fixtures or self.removed_fixtures or self.changed_fixtures)

    def __str__(self) -> str:
        if self.is_empty:
            return "no change"
        parts = []
        if self.stage_changed:
            parts.append("stage changed")
        for label, items in (
            ("fixtures added", self.added_fixtures),
            ("fixtures removed", self.removed_fixtures),
            ("fixtures changed", self.changed_fixtures),
            ("groups added", self.added_groups),
            ("groups removed", self.removed_groups),
            ("groups changed", self.changed_groups),
            ("fixtures recoloured", self.recolored_fixtures),
        ):
            if items:
                parts.append(f"{len(items)} {label}")
        if self.problems_changed:
            parts.append("problems changed")
        return ", ".join(parts)


def fixture_keys(fixtures: Sequence[Fixture]) -> list[Key]:
    """(name, occurrence) per fixture: the identity that survives insertions and removals."""
    seen: dict[str, int] = {}
    out = []
    for f in fixtures:
        k = seen.get(f.name, 0)
        seen[f.name] = k + 1
        out.append((f.name, k))
    return out


def _colors(config: ShowConfig) -> list[str | None]:
    """Per fixture, ``#RRGGBB`` of its first group (None: in no group)."""
    return [None if gi is None else config.groups[gi].color for gi in config.fixture_group_index]


class ShowState:
    """The latest configuration plus the lookups the viewer needs.

    Not thread-safe: keep one per thread (the viewer's lives in the GUI thread).
    """

    def __init__(self, config: ShowConfig | None = None) -> None:
        self._config: ShowConfig | None = None
        self._colors: list[str | None] = []
        self._keys: list[Key] = []
        if config is not None:
            self.apply(config)

    @property
    def config(self) -> ShowConfig | None:
        return self._config

    @property
    def stage(self) -> Stage | None:
        return None if self._config is None else self._config.stage

    @property
    def fixtures(self) -> tuple[Fixture, ...]:
        return () if self._config is None else self._config.fixtures

    @property
    def groups(self) -> tuple[Group, ...]:
        return () if self._config is None else self._config.groups

    def fixture(self, index: int | None) -> Fixture | None:
        """The fixture at ``index``, or None when there is none."""
        fixtures = self.fixtures
        return fixtures[index] if index is not None and 0 <= index < len(fixtures) else None

    def find(self, name: str) -> int | None:
        """Index of the first fixture named ``name`` (exactly, else ignoring case), or None."""
        return None if self._config is None else self._config.find_fixture(name)

    def group(self, name: str) -> Group | None:
        return None if self._config is None else self._config.groups_by_name.get(name)

    def group_of(self, index: int) -> Group | None:
        """The fixture's first group (its colour), or None."""
        config = self._config
        if config is None or not 0 <= index < len(config.fixtures):
            return None
        gi = config.fixture_group_index[index]
        return None if gi is None else config.groups[gi]

    def group_color(self, index: int) -> str | None:
        """``#RRGGBB`` of the fixture's first group, or None when it is in no group."""
        return self._colors[index] if 0 <= index < len(self._colors) else None

    def members(self, group_index: int) -> tuple[int, ...]:
        """Indices of the group's fixtures, in the group's order (see ``ShowConfig.group_members``)."""
        config = self._config
        if config is None or not 0 <= group_index < len(config.groups):
            return ()
        return config.group_members(group_index)

    def key(self, index: int) -> Key | None:
        """The fixture's identity across configurations (name, occurrence), or None."""
        return self._keys[index] if 0 <= index < len(self._keys) else None

    def index_of(self, key: Key | None) -> int | None:
        """The index of the fixture with this identity in the current configuration, or None."""
        if key is None:
            return None
        try:
            return self._keys.index(key)
        except ValueError:
            return None

    def apply(self, config: ShowConfig) -> ConfigDiff:
        """Make ``config`` current and say what changed since the previous one."""
        old = self._config
        old_colors, old_keys = self._colors, self._keys
        self._config = config
        self._colors = _colors(config)
        self._keys = keys = fixture_keys(config.fixtures)
        if old is None:
            return ConfigDiff(
                added_fixtures=tuple(range(len(config.fixtures))),
                added_groups=tuple(config.groups_by_name),
                stage_changed=True,
                recolored_fixtures=tuple(i for i, c in enumerate(self._colors) if c is not None),
                problems_changed=bool(config.problems),
            )
        if old is config:
            return ConfigDiff()
        old_at = {k: i for i, k in enumerate(old_keys)}
        new_set = set(keys)
        added, changed, recolored = [], [], []
        for i, k in enumerate(keys):
            j = old_at.get(k)
            if j is None:
                added.append(i)
                continue
            if old.fixtures[j] != config.fixtures[i]:
                changed.append(i)
            if old_colors[j] != self._colors[i]:
                recolored.append(i)
        removed = tuple(j for j, k in enumerate(old_keys) if k not in new_set)
        og, ng = old.groups_by_name, config.groups_by_name
        return ConfigDiff(
            tuple(added),
            removed,
            tuple(changed),
            tuple(n for n in ng if n not in og),
            tuple(n for n in og if n not in ng),
            tuple(n for n, g in ng.items() if n in og and og[n] != g),
            old.stage != config.stage,
            tuple(recolored),
            old.problems != config.problems,
        )

    def apply_delta(self, delta: DeltaMessage) -> ConfigDiff:
        """Apply a protocol-2 delta (edits by fixture index) to the current configuration.

        Raises DeltaError when there is no configuration or the delta does not fit it.
        """
        if self._config is None:
            raise DeltaError("delta: no configuration to apply it to")
        return self.apply(apply_delta(self._config, delta))
