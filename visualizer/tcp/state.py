"""What the viewer knows about the show, and what changed with each new config.

The client hands over a whole ``ShowConfig`` after every change; the viewer
should not rebuild 10,000 fixtures because one moved.  ``ShowState.apply``
returns a ``ConfigDiff`` naming exactly which fixtures and groups were added,
removed or changed (compared by value: the model is frozen dataclasses), and
which fixtures changed colour because group membership or colours moved.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from shared.protocol.delta import DeltaError, apply_delta
from shared.protocol.extensions import DeltaMessage
from shared.show import Fixture, Group, ShowConfig, Stage


@dataclass(frozen=True, slots=True)
class ConfigDiff:
    """Difference between two consecutive configurations (names in config order)."""

    added_fixtures: tuple[str, ...] = ()
    removed_fixtures: tuple[str, ...] = ()
    changed_fixtures: tuple[str, ...] = ()
    added_groups: tuple[str, ...] = ()
    removed_groups: tuple[str, ...] = ()
    changed_groups: tuple[str, ...] = ()
    stage_changed: bool = False
    #: Fixtures (present in the new config) whose group colour is different now.
    recolored_fixtures: tuple[str, ...] = ()

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
        for label, names in (
            ("fixtures added", self.added_fixtures),
            ("fixtures removed", self.removed_fixtures),
            ("fixtures changed", self.changed_fixtures),
            ("groups added", self.added_groups),
            ("groups removed", self.removed_groups),
            ("groups changed", self.changed_groups),
            ("fixtures recoloured", self.recolored_fixtures),
        ):
            if names:
                parts.append(f"{len(names)} {label}")
        return ", ".join(parts)


def _diff_named(
    old: Mapping[str, object], new: Mapping[str, object]
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    added = tuple(name for name in new if name not in old)
    removed = tuple(name for name in old if name not in new)
    changed = tuple(name for name, item in new.items() if name in old and old[name] != item)
    return added, removed, changed


def _colors(groups: Iterable[Group]) -> dict[str, str]:
    """Fixture name -> colour of the first group listing it (as ShowConfig.group_of does)."""
    out: dict[str, str] = {}
    for g in groups:
        for member in g.fixtures:
            out.setdefault(member, g.color)
    return out


class ShowState:
    """The latest configuration plus the lookups the viewer needs.

    Not thread-safe: keep one per thread (the viewer's lives in the GUI thread).
    """

    def __init__(self, config: ShowConfig | None = None) -> None:
        self._config: ShowConfig | None = None
        self._colors: dict[str, str] = {}
        self._members: dict[str, tuple[Fixture, ...]] = {}
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

    @property
    def fixtures_by_name(self) -> Mapping[str, Fixture]:
        return {} if self._config is None else self._config.fixtures_by_name

    def fixture(self, name: str) -> Fixture | None:
        return self.fixtures_by_name.get(name)

    def group(self, name: str) -> Group | None:
        return None if self._config is None else self._config.groups_by_name.get(name)

    def group_of(self, fixture_name: str) -> Group | None:
        return None if self._config is None else self._config.group_of(fixture_name)

    def group_color(self, fixture_name: str) -> str | None:
        """``#RRGGBB`` of the fixture's first group, or None when it is in no group."""
        return self._colors.get(fixture_name)

    def fixtures_in_group(self, group_name: str) -> tuple[Fixture, ...]:
        """The group's members that exist, in the group's order (unknown names skipped)."""
        return self._members.get(group_name, ())

    def apply(self, config: ShowConfig) -> ConfigDiff:
        """Make ``config`` current and say what changed since the previous one."""
        old = self._config
        old_colors = self._colors
        by_name = config.fixtures_by_name
        self._config = config
        self._colors = _colors(config.groups)
        self._members = {}
        for g in config.groups:
            if g.name not in self._members:  # first of duplicate group names wins, as for colours
                self._members[g.name] = tuple(by_name[m] for m in g.fixtures if m in by_name)
        if old is None:
            return ConfigDiff(
                added_fixtures=tuple(by_name),
                added_groups=tuple(config.groups_by_name),
                stage_changed=True,
                recolored_fixtures=tuple(name for name in by_name if name in self._colors),
            )
        if old is config:
            return ConfigDiff()
        fa, fr, fc = _diff_named(old.fixtures_by_name, by_name)
        ga, gr, gc = _diff_named(old.groups_by_name, config.groups_by_name)
        new_colors, old_names = self._colors, old.fixtures_by_name
        recolored = tuple(
            name for name in by_name if name in old_names and old_colors.get(name) != new_colors.get(name)
        )
        return ConfigDiff(fa, fr, fc, ga, gr, gc, old.stage != config.stage, recolored)

    def apply_delta(self, delta: DeltaMessage) -> ConfigDiff:
        """Apply a protocol-2 delta (edits by fixture index) to the current configuration.

        Raises DeltaError when there is no configuration or the delta does not fit it.
        """
        if self._config is None:
            raise DeltaError("delta: no configuration to apply it to")
        return self.apply(apply_delta(self._config, delta))
