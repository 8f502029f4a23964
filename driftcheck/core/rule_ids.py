"""Rule ids and the catalogue's entry type (pure): apart from `core/rules.py` so that the
catalogue can live in several modules, one per family of rules."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from driftcheck.core.model import Severity


class RuleId(str, enum.Enum):
    """The rule ids: stable, part of every report and of users' `[[ignore]]` entries."""

    FIELD_REMOVED = "field-removed"
    FIELD_BECAME_OPTIONAL = "field-became-optional"
    TYPE_CHANGED = "type-changed"
    BECAME_NULLABLE = "became-nullable"
    TYPE_WIDENED = "type-widened"
    STATUS_CHANGED = "status-changed"
    CONTENT_TYPE_CHANGED = "content-type-changed"
    ENDPOINT_MISSING = "endpoint-missing"
    FIELD_ADDED = "field-added"
    FIELD_BECAME_REQUIRED = "field-became-required"
    TYPE_NARROWED = "type-narrowed"
    ENDPOINT_ADDED = "endpoint-added"
    CASSETTE_STALE = "cassette-stale"
    MOCK_FIELD_UNKNOWN = "mock-field-unknown"
    MOCK_FIELD_MISSING = "mock-field-missing"
    MOCK_TYPE_MISMATCH = "mock-type-mismatch"
    MOCK_UNCOVERED_OPTIONAL = "mock-uncovered-optional"
    MOCK_UNCOVERED_NULL = "mock-uncovered-null"
    MOCK_NULL_UNSEEN = "mock-null-unseen"
    MOCK_UNLIKE_ENDPOINT = "mock-unlike-endpoint"
    MOCK_UNCOVERED_VARIANT = "mock-uncovered-variant"
    ENUM_VALUE_ADDED = "enum-value-added"
    ENUM_VALUE_REMOVED = "enum-value-removed"
    FORMAT_CHANGED = "format-changed"
    BECAME_EMPTY = "became-empty"
    MOCK_ENUM_UNKNOWN = "mock-enum-unknown"
    MOCK_FORMAT_MISMATCH = "mock-format-mismatch"
    HEADER_REMOVED = "header-removed"
    HEADER_ADDED = "header-added"
    ENDPOINT_DEPRECATED = "endpoint-deprecated"
    SPEC_FIELD_UNDOCUMENTED = "spec-field-undocumented"
    SPEC_REQUIRED_MISSING = "spec-required-missing"
    SPEC_NULL_UNDECLARED = "spec-null-undeclared"
    SPEC_TYPE_MISMATCH = "spec-type-mismatch"
    SPEC_ENUM_UNDECLARED = "spec-enum-undeclared"
    SPEC_STATUS_UNDOCUMENTED = "spec-status-undocumented"
    SPEC_ENDPOINT_UNDOCUMENTED = "spec-endpoint-undocumented"

    def __str__(self) -> str:
        return self.value  # f"{rule}" is the id, on every Python version

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)


# The rules that read values, not structure: all off with `values = false`.
_VALUES = "enum-value-added enum-value-removed format-changed became-empty mock-enum-unknown "
VALUE_RULES = frozenset(
    map(RuleId, (_VALUES + "mock-format-mismatch spec-enum-undeclared").split())
)


@dataclass(frozen=True, slots=True)
class Rule:
    """One kind of drift. `messages` maps a variant ("" by default) to a template filled
    with `path`, `endpoint`, `status`, `baseline`, `current` and the rule's own facts."""

    id: RuleId
    severity: Severity
    summary: str
    messages: Mapping[str, str] = field(default_factory=dict)
