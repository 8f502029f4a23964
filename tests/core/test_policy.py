"""Policy values: rule ids and levels checked once, flags parsed, ignores applied."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from driftcheck.core import pathglob, policy
from driftcheck.core.model import Finding, Report, Severity
from driftcheck.core.paths import Segment, Step, join, parse_path
from driftcheck.core.policy import CLI_REASON, Ignore, Policy
from driftcheck.core.rules import RuleId
from driftcheck.errors import ConfigError

TODAY = datetime.date(2026, 6, 1)


def finding(rule: str, severity: Severity, path: str = "$.a") -> Finding:
    return Finding(
        endpoint="GET a.example/x",
        status=200,
        path=path,
        rule=rule,
        severity=severity,
        source="cassette",
        baseline="b",
        current="c",
        message="m",
    )


def test_levels_are_the_severities_most_severe_first() -> None:
    assert policy.LEVELS == ("breaking", "warning", "info")
    assert [policy.parse_level(level) for level in policy.LEVELS] == [
        Severity.BREAKING,
        Severity.WARNING,
        Severity.INFO,
    ]
    assert policy.parse_level("Warning") is None
    assert policy.parse_level(2) is None


def test_check_rule_takes_ids_and_where_allowed_globs() -> None:
    assert policy.check_rule("field-added", "x") == "field-added"
    assert policy.check_rule("mock-*", "x") == "mock-*"
    assert policy.check_rule("type-?hanged", "x") == "type-?hanged"
    with pytest.raises(ConfigError) as caught:
        policy.check_rule("mock-*", "f.toml: [severity]", patterns=False)
    assert str(caught.value) == "f.toml: [severity] takes rule ids, not patterns: `mock-*`"
    with pytest.raises(ConfigError) as caught:
        policy.check_rule("field-adde", "f.toml: [[ignore]] #3")
    assert str(caught.value) == (
        "f.toml: [[ignore]] #3: unknown rule `field-adde`; did you mean `field-added`?"
    )


def test_severities_are_checked_against_the_catalogue() -> None:
    assert policy.severities({"field-added": "breaking"}, "w") == {"field-added": Severity.BREAKING}
    with pytest.raises(ConfigError) as caught:
        policy.severities({"field-added": "loud"}, "f.toml: [severity]")
    assert str(caught.value) == (
        "f.toml: [severity] `field-added` = 'loud'; valid: breaking, warning, info"
    )


def test_severity_flags() -> None:
    assert policy.parse_severity_flags([" field-added = WARNING ", "type-changed=info"]) == {
        "field-added": Severity.WARNING,
        "type-changed": Severity.INFO,
    }


def test_ignore_flags() -> None:
    assert policy.parse_ignore_flag("type-changed") == Ignore(
        reason=CLI_REASON, rule="type-changed", label="--ignore"
    )
    assert policy.parse_ignore_flag(
        "rule=type-*, endpoint=GET a/*, path=$.x, reason=why, until=2027-01-31"
    ) == Ignore(
        reason="why",
        endpoint="GET a/*",
        path="$.x",
        rule="type-*",
        until=datetime.date(2027, 1, 31),
        label="--ignore",
    )


def test_until_dates() -> None:
    assert policy.until_date(datetime.date(2027, 1, 31), "w") == datetime.date(2027, 1, 31)
    assert policy.until_date("2027-01-31T10:00:00", "w") == datetime.date(2027, 1, 31)
    with pytest.raises(ConfigError) as caught:
        policy.until_date("31/01/2027", "f.toml: [[ignore]] #1")
    assert str(caught.value) == (
        "f.toml: [[ignore]] #1: `until` = '31/01/2027' is not a date; write it like 2027-01-31"
    )


def test_apply_overrides_hides_and_reports_expired_ignores() -> None:
    report = Report(
        findings=(
            finding("field-added", Severity.INFO),
            finding("type-changed", Severity.BREAKING, "$.b"),
        ),
        endpoints=1,
    )
    rules = Policy(
        severity={"field-added": Severity.WARNING},
        ignores=(
            Ignore(reason="live", rule="type-*", until=TODAY),
            Ignore(reason="old", path="$.a", until=TODAY - datetime.timedelta(days=1)),
        ),
    )
    applied = policy.apply(report, rules, TODAY)
    assert [(f.rule, f.severity, f.ignored) for f in applied.findings] == [
        ("field-added", Severity.WARNING, None),
        ("type-changed", Severity.BREAKING, "live"),
    ]
    assert applied.warnings == (
        "[[ignore]] (rule `*`, endpoint `*`, path `$.a`: old) expired on 2026-05-31; "
        "the 1 finding it matched count again",
    )


def bracketed(segments: tuple[Segment, ...]) -> str:
    """`segments` with every key in brackets, even identifiers: the other notation."""
    escaped = (
        s.value
        if isinstance(s, Step)
        else "['" + s.replace("\\", "\\\\").replace("'", "\\'") + "']"
        for s in segments
    )
    return "$" + "".join(escaped)


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        # a key is the same key dotted or bracketed
        ("$.data.size", "$.data.size", True),
        ("$['data']['size']", "$.data.size", True),
        ("$['original-data-ak'].href", "$['original-data-ak'].href", True),
        ("$.original-data-ak.href", "$['original-data-ak'].href", True),
        ("$.data.size", "$.data.sizes", False),
        # `*` as a whole step is any ONE step: a key, elements or map values
        ("$.assets.*", "$.assets.foo", True),
        ("$.assets.*", "$.assets['original-data-ak']", True),
        ("$.assets.*", "$.assets{*}", True),
        ("$.assets.*", "$.assets[*]", True),
        ("$.assets['*']", "$.assets{*}", True),
        ("$.assets.*", "$.assets", False),
        ("$.assets.*", "$.assets.foo.href", False),  # `*` never crosses a step
        ("$.assets.*", "$.assetsfoo", False),
        ("$.debug.*", "$.debug.a.b", False),  # was a match as a string glob
        # `[*]` and `{*}` in a pattern are any one step too
        ("$.items[*].id", "$.items[*].id", True),
        ("$.items[*].id", "$.items.first.id", True),
        ("$.assets{*}.href", "$.assets['a b'].href", True),
        ("$.assets{*}.href", "$.assets{*}.href", True),
        ("$.items[*].id", "$.items[*][*].id", False),
        # a key never matches elements or map values
        ("$.assets.foo", "$.assets{*}", False),
        ("$.items.id", "$.items[*].id", False),
        # `**` is any number of steps, none included
        ("$.assets.**", "$.assets", True),
        ("$.assets.**", "$.assets['original-data-ak'].href", True),
        ("$.assets.**", "$.assets{*}[*].port", True),
        ("$.assets.**", "$.asset", False),
        ("$.assets.**", "$.other.assets", False),
        ("$.**.href", "$.assets{*}.href", True),
        ("$.**.href", "$.href", True),
        ("$.**.href", "$.assets{*}.hrefs", False),
        ("$.a.**.b.**.c", "$.a.x.b.y.z.c", True),
        ("$.a.**.b.**.c", "$.a.b.c", True),
        ("$.a.**.b.**.c", "$.a.c.b", False),
        ("$.**", "$", True),
        # `*` and `?` within a key are wildcards on its text
        ("$.items[*].*_url", "$.items[*].avatar_url", True),
        ("$.items[*].*_url", "$.items[*].url", False),
        ("$.items[*].*_url", "$.items[*].a.b_url", False),
        ("$['x-*']", "$['x-request-id']", True),
        ("$.x-*", "$['x-request-id']", True),
        ("$['x-*']", "$.x", False),
        ("$.siz?", "$.size", True),
        ("$.siz?", "$.sizes", False),
        ("$.*_url", "$.items{*}", False),  # a key glob is a key, never elements or values
        # keys holding `.`, `'`, `*`: bracketed, escaped like paths, globs include the key
        ("$['a.b']", "$['a.b']", True),
        ("$['a.b']", "$.a.b", False),
        ("$.a.b", "$['a.b']", False),
        ("$['it\\'s']", "$['it\\'s']", True),
        ("$['a*b']", "$['a*b']", True),
        ("$['a*b']", "$.axxb", True),
        ("$['a\\*b']", "$['a*b']", True),  # a backslash makes `*` literal
        ("$['a\\*b']", "$.axxb", False),
        ("$['*']", "$['*']", True),
        # a pattern not starting with `$` is a glob on the text, as before
        ("*", "$.anything['at all']{*}", True),
        ("*", "$", True),
        ("*size", "$.data[*].attributes.size", True),
        ("$.data", "not a path", False),
        ("not a path", "not a path", True),
    ],
)
def test_path_patterns_match_step_by_step(pattern: str, path: str, expected: bool) -> None:
    assert policy.check_path(pattern, "w") == pattern
    assert policy.path_matches(pattern, path) is expected


keys = st.text(
    alphabet=st.characters(codec="utf-8") | st.sampled_from(".'*?\\ []{}$-_"), max_size=6
)
segments = st.lists(st.one_of(keys, st.sampled_from([Step.ITEMS, Step.VALUES])), max_size=6).map(
    tuple
)


@settings(max_examples=300, deadline=None)
@given(segments)
def test_any_path_is_matched_by_itself_in_either_notation_and_by_everything(
    steps: tuple[Segment, ...],
) -> None:
    path = join(steps)
    assert parse_path(bracketed(steps)) == steps  # truly the other notation of one path
    for pattern in ("$.**", "*", path, bracketed(steps)):
        assert policy.check_path(pattern, "w") == pattern
        assert policy.path_matches(pattern, path), pattern


literal_keys = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="*?"), max_size=6)


@settings(max_examples=200, deadline=None)
@given(st.lists(literal_keys | st.sampled_from([Step.ITEMS, Step.VALUES]), max_size=6).map(tuple))
def test_a_pattern_one_step_longer_never_matches(steps: tuple[Segment, ...]) -> None:
    path = join(steps)
    assert not policy.path_matches(join((*steps, "x")), path)
    assert not policy.path_matches(bracketed((*steps, Step.ITEMS)), path)
    assert policy.path_matches(join((*steps, "x")), join((*steps, "x")))


@pytest.mark.parametrize(
    ("pattern", "at"),
    [
        ("$.items[0].id", "at `[0].id`"),
        ("$..id", "at `..id`"),
        ("$.a.", "at `.`"),
        ("$id", "at `id`"),
        ("$.a b", "at ` b`"),
        ("$['open", "at `['open`"),
        ('$["double"]', 'at `["double"]`'),
        ("$.a{x}", "at `{x}`"),
    ],
)
def test_invalid_path_patterns_say_where_and_what_is_valid(pattern: str, at: str) -> None:
    with pytest.raises(ConfigError) as caught:
        policy.check_path(pattern, "f.toml: [[ignore]] #2")
    assert str(caught.value) == (
        f"f.toml: [[ignore]] #2: `path` = {pattern!r} is not a path pattern ({at}); "
        "write steps as .key or ['key'] (* and ? match within a key), any one step as "
        ".*, [*] or {*}, any depth as .**, e.g. $.items[*].*_url or $.assets.**"
    )
    assert policy.path_matches(pattern, pattern) is False  # built in code, it hides nothing


def test_ignore_flags_check_their_path() -> None:
    assert policy.parse_ignore_flag("path=$.assets.**").path == "$.assets.**"
    with pytest.raises(ConfigError) as caught:
        policy.parse_ignore_flag("rule=type-changed,path=$.items[0]")
    assert str(caught.value).startswith(
        "--ignore 'rule=type-changed,path=$.items[0]': `path` = '$.items[0]' is not a path "
        "pattern (at `[0]`); write steps as"
    )


def test_patterns_are_compiled_once() -> None:
    assert pathglob.compile_pattern("$.assets.**") is pathglob.compile_pattern("$.assets.**")
    assert policy.glob("GET a/*") is policy.glob("GET a/*")


def test_apply_hides_a_subtree_whatever_its_keys_spelling() -> None:
    paths = ["$.assets.thumbnail", "$.assets['original-data-ak'].href", "$.assets{*}", "$.id"]
    report = Report(
        findings=tuple(finding("field-removed", Severity.BREAKING, p) for p in paths), endpoints=1
    )
    rules = Policy(ignores=(Ignore(reason="assets move", path="$.assets.**"),))
    applied = policy.apply(report, rules, TODAY)
    assert [(f.path, f.ignored) for f in applied.findings] == [
        ("$.assets.thumbnail", "assets move"),
        ("$.assets['original-data-ak'].href", "assets move"),
        ("$.assets{*}", "assets move"),
        ("$.id", None),
    ]


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [("header:ETag", True), ("header:etag", True), ("HEADER:E*", True), ("header:link", False)],
)
def test_a_header_pattern_matches_whatever_the_case(pattern: str, expected: bool) -> None:
    """Header names are case-insensitive: `header:ETag` hides the `header:etag` finding."""
    assert policy.path_matches(pattern, "header:etag") is expected


def test_values_false_drops_the_value_rules_only() -> None:
    def made(rule: RuleId) -> Finding:
        return Finding("GET x/y", 200, "$.a", rule, Severity.WARNING, "cassette", "", "", "")

    rules = (RuleId.ENUM_VALUE_ADDED, RuleId.HEADER_REMOVED, RuleId.FIELD_ADDED)
    report = Report(tuple(map(made, rules)), 1)
    kept = policy.apply(report, Policy(values=False), datetime.date(2026, 1, 1))
    assert [f.rule for f in kept.findings] == [RuleId.HEADER_REMOVED, RuleId.FIELD_ADDED]
    assert len(policy.apply(report, Policy(), datetime.date(2026, 1, 1)).findings) == 3
