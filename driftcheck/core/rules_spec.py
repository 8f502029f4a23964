"""The catalogue's rules on a provider's OpenAPI description (issue 18): each says where
what the spec promises and what was recorded disagree. Severities follow what a client
generated from the spec would do with the recorded response."""

from __future__ import annotations

from driftcheck.core.model import Severity
from driftcheck.core.rule_ids import Rule, RuleId

_B, _W, _I = Severity.BREAKING, Severity.WARNING, Severity.INFO
R = RuleId

SPEC_CATALOGUE: tuple[Rule, ...] = (
    Rule(
        R.SPEC_FIELD_UNDOCUMENTED,
        _I,
        "the API returns a key the spec does not document (a warning where the spec's "
        "object forbids other keys: strict clients reject it)",
        {
            "": "`{path}` is returned in {present} of {parent} recorded samples but the spec "
            "does not document it ({spec})"
        },
    ),
    Rule(
        R.SPEC_REQUIRED_MISSING,
        _B,
        "a key the spec marks required is missing from some recorded responses",
        {
            "": "`{path}` is required by the spec ({spec}) but missing in {missing} of "
            "{parent} recorded samples ({missing_pct})"
        },
    ),
    Rule(
        R.SPEC_NULL_UNDECLARED,
        _B,
        "the API returns null where the spec does not allow it",
        {
            "": "`{path}` is null in {nulls} of {present} recorded values; the spec ({spec}) "
            "does not allow null there"
        },
    ),
    Rule(
        R.SPEC_TYPE_MISMATCH,
        _B,
        "the API returns a type the spec does not allow at that path",
        {
            "": "`{path}` is {recorded} in recordings ({count} of the recorded values); the "
            "spec ({spec}) says {declared}"
        },
    ),
    Rule(
        R.SPEC_ENUM_UNDECLARED,
        _W,
        "the API returns a value outside the spec's enum",
        {"": "`{path}` returned {values}, not among the spec's values {declared} ({spec})"},
    ),
    Rule(
        R.SPEC_STATUS_UNDOCUMENTED,
        _W,
        "the API returns a status the spec's operation does not list (and it has no default)",
        {
            "": "status {status} ({samples} recorded) is not among the responses the spec "
            "lists for {operation}: {declared} ({spec})"
        },
    ),
    Rule(
        R.SPEC_ENDPOINT_UNDOCUMENTED,
        _I,
        "a recorded endpoint matches no operation of the spec",
        {"": "endpoint `{endpoint}` ({route}) matches no operation of the spec ({spec})"},
    ),
)
