"""Resource kinds as data: columns, list endpoints, row builders. See :mod:`.base`."""

from tuicloud.cloud.kinds.base import Column, ResourceKind
from tuicloud.cloud.kinds.registry import all_kinds, kind_for, kind_names, register

__all__ = ["Column", "ResourceKind", "all_kinds", "kind_for", "kind_names", "register"]
