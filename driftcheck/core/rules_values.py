"""The catalogue's rules on values and headers (issue 17): enum values, formats, empty
arrays, header presence and retirement notices."""

from __future__ import annotations

from driftcheck.core.model import Severity
from driftcheck.core.rule_ids import Rule, RuleId

_B, _W, _I = Severity.BREAKING, Severity.WARNING, Severity.INFO
R = RuleId

VALUE_CATALOGUE: tuple[Rule, ...] = (
    Rule(
        R.ENUM_VALUE_ADDED,
        _W,
        "an enum-like string path returns a value never seen before",
        {"": "`{path}` returned new values {values}; before it was only one of {known}"},
    ),
    Rule(
        R.ENUM_VALUE_REMOVED,
        _I,
        "a value an enum-like path often returned is in no current sample",
        {
            "": "`{path}` no longer returned {values} in {samples} current values, enough "
            "that they would have shown"
        },
    ),
    Rule(
        R.FORMAT_CHANGED,
        _B,
        "the strings at a path had one format; now some have another (breaking for date-time, "
        "date and UUID gone and replaced by other formats; a warning beside them, where some "
        "value has no format, or for other formats, time included)",
        {"": "`{path}` was always {was}; now {strings} current values are {now}"},
    ),
    Rule(
        R.BECAME_EMPTY,
        _W,
        "an array never empty before is now empty in some samples",
        {
            "": "`{path}` is now an empty array in {empty} of {arrays} current samples "
            "({empty_pct}); it was never empty before"
        },
    ),
    Rule(
        R.MOCK_ENUM_UNKNOWN,
        _W,
        "a mock has a value the API never returned at an enum-like path",
        {
            "": "`{path}` is `{value}` in fixture {where}; endpoint `{endpoint}` returned only "
            "{known} there ({count} recorded values)",
            "spec": "`{path}` is `{value}` in fixture {where}; the spec's response for "
            "endpoint `{endpoint}` allows only {known} there ({spec}); no recordings to "
            "compare with",
        },
    ),
    Rule(
        R.MOCK_FORMAT_MISMATCH,
        _W,
        "a mock string has another format than every recorded value at that path",
        {
            "": "`{path}` is {kind} in fixture {where}; endpoint `{endpoint}` always returned "
            "{recorded} there ({count} recorded values)",
            "spec": "`{path}` is {kind} in fixture {where}; the spec's response for endpoint "
            "`{endpoint}` says format {recorded} there ({spec}); no recordings to compare "
            "with",
        },
    ),
    Rule(
        R.HEADER_REMOVED,
        _W,
        "a response header sent in every baseline sample is in no current sample (a warning: "
        "presence often follows the data, e.g. `Link` only when there is a next page)",
        {
            "": "response header `{header}` is no longer sent: absent from {current_samples}; "
            "it was in every one of {baseline_samples}"
        },
    ),
    Rule(
        R.HEADER_ADDED,
        _I,
        "a response header is now in every sample, in none before",
        {
            "": "response header `{header}` is new: in every one of {current_samples}, in none "
            "of {baseline_samples}"
        },
    ),
    Rule(
        R.ENDPOINT_DEPRECATED,
        _W,
        "the API now sends `Deprecation` or `Sunset` (breaking once the Sunset date is past, "
        "when every current response says the endpoint is deprecated)",
        {
            "": "endpoint `{endpoint}` is now marked for retirement by the API: {notice}",
            "sunset-past": "endpoint `{endpoint}` is past its Sunset date and may stop "
            "responding any day: {notice}",
        },
    ),
)
