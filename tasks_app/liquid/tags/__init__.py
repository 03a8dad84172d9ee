"""Hub's tags: the Mechanic tags and the built-ins whose parsing changes (spec/liquid.md §2, §8)."""

from __future__ import annotations

from typing import Any

from .action_tag import ActionTag
from .assign_tag import AssignTag
from .capture_tag import HubCaptureTag
from .case_tag import HubCaseTag
from .comment_tag import HubCommentTag
from .cycle_tag import HubCycleTag
from .echo_tag import HubEchoTag
from .error_tag import ErrorTag
from .for_tag import HubBreakTag, HubContinueTag, HubForTag
from .if_tag import HubIfTag
from .illegal_tag import HubIllegal
from .liquid_tag import HubLiquidTag
from .log_tag import LogTag
from .output_tag import HubOutput
from .permissions_tag import PermissionsTag
from .tablerow_tag import HubTablerowTag
from .unless_tag import HubUnlessTag

TAGS = (
    HubIllegal,
    HubOutput,
    HubEchoTag,
    AssignTag,
    HubCaptureTag,
    HubIfTag,
    HubUnlessTag,
    HubCaseTag,
    HubCommentTag,
    HubCycleTag,
    HubForTag,
    HubBreakTag,
    HubContinueTag,
    HubTablerowTag,
    HubLiquidTag,
    ActionTag,
    LogTag,
    ErrorTag,
    PermissionsTag,
)

# No template files in Mechanic (§2.13); `doc` is a python-liquid extension.
REMOVED_TAGS = ("render", "include", "doc")


def register_tags(env: Any) -> None:
    """Register Hub's tags on ``env`` over the standard ones."""
    for tag in TAGS:
        env.add_tag(tag)
    for name in REMOVED_TAGS:
        env.tags.pop(name, None)
