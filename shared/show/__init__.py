"""Show model: stage, fixtures, groups, and show files (used by both sides)."""

from shared.show.checks import Issue, check_config
from shared.show.codec import (
    ValidationError,
    config_from_dict,
    config_to_dict,
    decode_fixtures,
    decode_groups,
    decode_stage,
    fixture_from_dict,
    fixture_to_dict,
    fixtures_from_list,
    group_from_dict,
    group_to_dict,
    groups_from_list,
    stage_from_dict,
    stage_to_dict,
)
from shared.show.demo import demo_show, demo_show_dict
from shared.show.model import (
    MOUNTINGS,
    Dimensions,
    Fixture,
    Group,
    Layout,
    Orientation,
    ShowConfig,
    Stage,
    Vec3,
)
from shared.show.showfile import ShowFileError, load_show, parse_show, save_show
from shared.show.units import plausible_mask

__all__ = [
    "MOUNTINGS",
    "Dimensions",
    "Fixture",
    "Group",
    "Issue",
    "Layout",
    "Orientation",
    "ShowConfig",
    "ShowFileError",
    "Stage",
    "ValidationError",
    "Vec3",
    "check_config",
    "config_from_dict",
    "config_to_dict",
    "decode_fixtures",
    "decode_groups",
    "decode_stage",
    "demo_show",
    "demo_show_dict",
    "fixture_from_dict",
    "fixture_to_dict",
    "fixtures_from_list",
    "group_from_dict",
    "group_to_dict",
    "groups_from_list",
    "load_show",
    "parse_show",
    "plausible_mask",
    "save_show",
    "stage_from_dict",
    "stage_to_dict",
]
