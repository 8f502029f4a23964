"""Policy (ignores, severities), staleness, sharding and merge, through the CLI."""

from __future__ import annotations

import datetime
import json
import os
import time
from pathlib import Path
from typing import Any

import pytest

from driftcheck.core.rules import RULES
from driftcheck.core.shard import parse_shard, pick
from driftcheck.core.staleness import Age
from tests.helpers import (
    CASSETTES,
    DRIFTS,
    ELEMENT,
    ENDPOINT,
    OKTA,
    REPORTS,
    folders,
    rewrite_cassette,
    run,
    validate,
)

TODAY = datetime.date.today()


def day(offset: int) -> str:
    return (TODAY + datetime.timedelta(days=offset)).isoformat()


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Path, Path]:
    baseline, current = folders(tmp_path)
    rewrite_cassette(REPORTS, current / REPORTS.name, DRIFTS["type changed"][0])
    rewrite_cassette(OKTA, current / OKTA.name, lambda body: {**body, "owner": "team-a"})
    return baseline, current


def config(folder: Path, text: str) -> Path:
    path = folder / "driftcheck.toml"
    path.write_text(text)
    return path


def diff(pair: tuple[Path, Path], *extra: str) -> tuple[int, dict[str, Any], str]:
    result = run("diff", str(pair[0]), str(pair[1]), "--format", "json", *extra)
    report = json.loads(result.stdout)
    validate(report)
    return result.exit_code, report, result.stderr


IGNORE = """
[[ignore]]
endpoint = "GET api.datadoghq.com/api/v1/*"
path = "$.data[*].attributes.*"
rule = "type-changed"
reason = "vendor is migrating sizes to strings; tracked in #12"
until = "{until}"
"""


def test_live_ignore_hides_from_the_exit_code_not_from_json(
    pair: tuple[Path, Path], tmp_path: Path
) -> None:
    path = config(tmp_path, IGNORE.format(until=day(30)))
    code, report, stderr = diff(pair, "--config", str(path))
    assert code == 0
    [hidden] = [f for f in report["findings"] if f["rule"] == "type-changed"]
    assert hidden["ignored"] is True
    assert hidden["ignore_reason"] == "vendor is migrating sizes to strings; tracked in #12"
    assert report["summary"]["breaking"] == 0
    assert report["summary"]["ignored"] == 1
    assert stderr == ""


def expired_warning(path: Path) -> str:
    return (
        f"[[ignore]] #1 in {path} (rule `type-changed`, endpoint "
        "`GET api.datadoghq.com/api/v1/*`, path `$.data[*].attributes.*`: vendor is migrating "
        f"sizes to strings; tracked in #12) expired on {day(-1)}; the 1 finding it matched "
        "count again"
    )


def test_expired_ignore_brings_the_finding_back_with_a_warning(
    pair: tuple[Path, Path], tmp_path: Path
) -> None:
    path = config(tmp_path, IGNORE.format(until=day(-1)))
    code, report, stderr = diff(pair, "--config", str(path))
    assert code == 1
    [back] = [f for f in report["findings"] if f["rule"] == "type-changed"]
    assert back["ignored"] is False
    assert report["warnings"] == [expired_warning(path)]
    assert stderr == ""  # the report on stdout says it; once is enough


def test_expired_ignore_is_said_once_on_a_terminal_report(
    pair: tuple[Path, Path], tmp_path: Path
) -> None:
    path = config(tmp_path, IGNORE.format(until=day(-1)))
    result = run("diff", str(pair[0]), str(pair[1]), "--config", str(path))
    assert result.exit_code == 1
    assert result.stderr == ""
    assert result.stdout.count(f"expired on {day(-1)}") == 1


def test_expired_ignore_goes_to_stderr_when_the_report_goes_to_a_file(
    pair: tuple[Path, Path], tmp_path: Path
) -> None:
    path = config(tmp_path, IGNORE.format(until=day(-1)))
    target = tmp_path / "report.json"
    result = run(
        "diff", str(pair[0]), str(pair[1]), "--config", str(path),
        "--format", "json", "--output", str(target),
    )  # fmt: skip
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == f"Warning: {expired_warning(path)}\n"
    assert json.loads(target.read_text())["warnings"] == [expired_warning(path)]


def test_ignore_paths_match_step_by_step(pair: tuple[Path, Path], tmp_path: Path) -> None:
    path = config(tmp_path, IGNORE.replace("attributes.*", "attributes.size").format(until=day(1)))
    assert diff(pair, "--config", str(path))[0] == 0
    path = config(
        tmp_path, IGNORE.replace(".attributes.*", "['attributes']['size']").format(until=day(1))
    )
    assert diff(pair, "--config", str(path))[0] == 0  # the same path, bracketed
    path = config(tmp_path, IGNORE.replace("[*].attributes.*", "[*].*").format(until=day(1)))
    assert diff(pair, "--config", str(path))[0] == 1  # `*` is one step (a string glob crossed dots)
    path = config(tmp_path, IGNORE.replace("[*].attributes.*", ".**").format(until=day(1)))
    assert diff(pair, "--config", str(path))[0] == 0  # `**` is any depth


def cassette(folder: Path, body: object) -> None:
    """One GET whose JSON body is `body`, in a folder of its own cassette."""
    folder.mkdir()
    text = json.dumps(json.dumps(body))  # a YAML double-quoted scalar holding the JSON
    (folder / "assets.yaml").write_text(
        "interactions:\n- request: {method: GET, uri: 'https://a.example/item', body: null}\n"
        "  response:\n    status: {code: 200, message: OK}\n"
        "    headers: {Content-Type: [application/json]}\n"
        f"    body: {{string: {text}}}\nversion: 1\n"
    )


@pytest.mark.parametrize(
    "names",
    [
        ("original-data-ak", "thumb nail"),  # keys: `$.assets['thumb nail'].href`
        ("original-data-ak", "thumb nail", "x.y"),  # read as a map: `$.assets{*}.href`
    ],
)
def test_an_ignored_subtree_hides_findings_under_bracketed_keys(
    tmp_path: Path, names: tuple[str, ...]
) -> None:
    def body(href: object) -> dict[str, Any]:
        return {"id": 1, "assets": {name: {"href": href} for name in names}}

    baseline, current = tmp_path / "baseline", tmp_path / "current"
    cassette(baseline, body("https://a.example/file"))
    cassette(current, body(12))
    code, report, _ = diff((baseline, current))
    assert code == 1
    drifted = [f["path"] for f in report["findings"] if f["path"].startswith("$.assets")]
    assert drifted  # under bracketed keys, or `{*}` once the object is read as a map
    assert any("[" in p or "{*}" in p for p in drifted), drifted
    text = '[[ignore]]\npath = "{}"\nreason = "assets are being moved; #40"\n'
    code, _, _ = diff(
        (baseline, current), "--config", str(config(tmp_path, text.format("$.assets.*")))
    )
    assert code == 1  # `.href` is two steps below `$.assets`
    code, report, _ = diff(
        (baseline, current), "--config", str(config(tmp_path, text.format("$.assets.**")))
    )
    assert code == 0
    assert {f["path"]: f["ignore_reason"] for f in report["findings"]} == dict.fromkeys(
        drifted, "assets are being moved; #40"
    )


def test_command_line_policy(pair: tuple[Path, Path]) -> None:
    code, report, _ = diff(pair, "--ignore", "type-changed")
    assert code == 0
    assert report["findings"][0]["ignore_reason"] == "given with --ignore on the command line"
    code, report, _ = diff(pair, "--severity", "field-added=breaking", "--ignore", "type-changed")
    assert code == 1
    assert report["summary"]["breaking"] == 2
    code, _, _ = diff(pair, "--ignore", f"rule=type-changed,endpoint={ENDPOINT},path={ELEMENT}.*")
    assert code == 0


def test_severity_overrides_in_config(pair: tuple[Path, Path], tmp_path: Path) -> None:
    path = config(tmp_path, '[severity]\ntype-changed = "warning"\n')
    code, report, _ = diff(pair, "--config", str(path))
    assert code == 0
    assert report["findings"][0]["severity"] == "warning"
    assert diff(pair, "--config", str(path), "--fail-on", "warning")[0] == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[severity]\ntype-changd = "warning"\n',
            "[severity]: unknown rule `type-changd`; did you mean `type-changed`?",
        ),
        (
            '[severity]\ntype-changed = "fatal"\n',
            "[severity] `type-changed` = 'fatal'; valid: breaking, warning, info",
        ),
        (
            '[severity]\n"type-*" = "info"\n',
            "[severity] takes rule ids, not patterns: `type-*`",
        ),
        (
            '[[ignore]]\nrule = "field-addd"\nreason = "x"\n',
            "[[ignore]] #1: unknown rule `field-addd`; did you mean `field-added`?",
        ),
        (
            '[[ignore]]\nrule = "field-added"\nreason = "x"\nuntil = "someday"\n',
            "[[ignore]] #1: `until` = 'someday' is not a date; write it like 2027-01-31",
        ),
        ('[[ignore]]\nrule = "field-added"\n', "[[ignore]] #1 needs a `reason`"),
        (
            '[[ignore]]\nreason = "x"\n[[ignore]]\npath = "$.items[0].id"\nreason = "x"\n',
            "[[ignore]] #2: `path` = '$.items[0].id' is not a path pattern (at `[0].id`); "
            "write steps as .key or ['key'] (* and ? match within a key), any one step as "
            ".*, [*] or {*}, any depth as .**, e.g. $.items[*].*_url or $.assets.**",
        ),
        (
            'max_age = "30 days"\n',
            "`max_age`: '30 days' is not an age; write it like 30d, 12h or 2w",
        ),
    ],
)
def test_bad_policy_is_one_line(
    pair: tuple[Path, Path], tmp_path: Path, text: str, message: str
) -> None:
    path = config(tmp_path, text)
    result = run("diff", str(pair[0]), str(pair[1]), "--config", str(path))
    assert result.exit_code == 2
    assert result.output == f"Error: {path}: {message}\n"


def test_ignore_rule_globs_are_allowed_in_config(pair: tuple[Path, Path], tmp_path: Path) -> None:
    path = config(tmp_path, '[[ignore]]\nrule = "type-*"\nreason = "migrating"\n')
    code, report, _ = diff(pair, "--config", str(path))
    assert code == 0
    assert [f["ignore_reason"] for f in report["findings"] if f["rule"] == "type-changed"] == [
        "migrating"
    ]


def test_flags_add_to_the_config_policy(pair: tuple[Path, Path], tmp_path: Path) -> None:
    path = config(tmp_path, '[severity]\ntype-changed = "warning"\n')
    code, report, _ = diff(pair, "--config", str(path), "--severity", "field-added=warning")
    assert code == 0
    assert {f["rule"]: f["severity"] for f in report["findings"]} == {
        "type-changed": "warning",  # from the config
        "field-added": "warning",  # from the flag
    }
    code, report, _ = diff(pair, "--config", str(path), "--severity", "type-changed=breaking")
    assert code == 1  # the flag wins over the config


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (
            ["--severity", "type-changd=info"],
            "--severity 'type-changd=info': unknown rule `type-changd`; "
            "did you mean `type-changed`?",
        ),
        (
            ["--severity", "type-changed=loud"],
            "--severity 'type-changed=loud': 'loud' is not a severity; "
            "valid: breaking, warning, info",
        ),
        (
            ["--severity", "type-changed"],
            "--severity 'type-changed': write RULE=LEVEL, e.g. field-added=warning",
        ),
        (
            ["--severity", "type-*=info"],
            "--severity 'type-*=info' takes rule ids, not patterns: `type-*`",
        ),
        (
            ["--ignore", "nonsense"],
            f"--ignore 'nonsense': unknown rule `nonsense`; valid: {', '.join(RULES)}",
        ),
        (
            ["--ignore", "rule=type-changed,until=soon"],
            "--ignore 'rule=type-changed,until=soon': `until` = 'soon' is not a date; "
            "write it like 2027-01-31",
        ),
        (
            ["--ignore", "rule=type-changed,path=$.data..size"],
            "--ignore 'rule=type-changed,path=$.data..size': `path` = '$.data..size' is not a "
            "path pattern (at `..size`); write steps as .key or ['key'] (* and ? match within "
            "a key), any one step as .*, [*] or {*}, any depth as .**, e.g. $.items[*].*_url "
            "or $.assets.**",
        ),
        (
            ["--ignore", "rule=type-changed,why=because"],
            "--ignore 'rule=type-changed,why=because': write RULE, or key=value pairs of rule, "
            "endpoint, path, reason, until separated by commas",
        ),
    ],
)
def test_bad_policy_flags_are_one_line(
    pair: tuple[Path, Path], flags: list[str], message: str
) -> None:
    result = run("diff", str(pair[0]), str(pair[1]), *flags)
    assert result.exit_code == 2
    assert result.output == f"Error: {message}\n"


def test_an_ignore_flag_with_a_past_until_has_expired(pair: tuple[Path, Path]) -> None:
    code, report, _ = diff(pair, "--ignore", f"rule=type-changed,until={day(-1)}")
    assert code == 1
    assert report["warnings"] == [
        f"--ignore (rule `type-changed`, endpoint `*`, path `*`: given with --ignore on the "
        f"command line) expired on {day(-1)}; the 1 finding it matched count again"
    ]


def test_cassette_stale_from_the_recorded_date(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "gzip.yaml").write_text((CASSETTES / "vcrpy_gzip_requests.yaml").read_text())
    result = run("diff", str(folder), str(folder), "--format", "json", "--max-age", "30d")
    report = json.loads(result.stdout)
    stale = [f for f in report["findings"] if f["rule"] == "cassette-stale"]
    assert stale
    assert stale[0]["severity"] == "warning"
    assert "date recorded in the cassette" in stale[0]["baseline"]
    assert "(2022-06-12, date recorded in the cassette)" in stale[0]["message"]
    assert stale[0]["location"] == str(folder / "gzip.yaml")
    assert result.exit_code == 0
    fresh = run("diff", str(folder), str(folder), "--format", "json", "--max-age", "10000d")
    assert json.loads(fresh.stdout)["findings"] == []


def test_cassette_stale_falls_back_to_modification_time(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    folder.mkdir()
    target = folder / "plain.yaml"
    target.write_text(
        "interactions:\n- request: {method: GET, uri: 'https://a.example/x', body: null}\n"
        "  response:\n    status: {code: 200, message: OK}\n"
        "    headers: {Content-Type: [application/json]}\n"
        "    body: {string: '{\"id\": 1}'}\nversion: 1\n"
    )
    old = time.time() - 40 * 86400
    os.utime(target, (old, old))
    result = run("diff", str(folder), str(folder), "--format", "json", "--max-age", "30d")
    report = json.loads(result.stdout)
    [stale] = report["findings"]
    assert "40 days ago; file modification time" in stale["baseline"]


def test_ages_and_shards_parse_strictly() -> None:
    assert Age.parse("30d").delta == datetime.timedelta(days=30)
    assert Age.parse("12h").delta == datetime.timedelta(hours=12)
    assert Age.parse("2w").delta == datetime.timedelta(weeks=2)
    assert parse_shard("2/3") == (2, 3)
    assert pick(["c", "a", "b", "d"], (1, 2)) == {"a", "c"}
    assert pick(["c", "a", "b", "d"], (2, 2)) == {"b", "d"}


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (
            ["--max-age", "30 days"],
            "--max-age: '30 days' is not an age; write it like 30d, 12h or 2w",
        ),
        (["--shard", "4/3"], "--shard '4/3': K must be between 1 and N, e.g. 1/3"),
        (["--shard", "two"], "--shard 'two': write K/N, e.g. 2/3 (the second of three)"),
    ],
)
def test_bad_scope_flags(pair: tuple[Path, Path], flags: list[str], message: str) -> None:
    result = run("diff", str(pair[0]), str(pair[1]), *flags)
    assert result.exit_code == 2
    assert result.output == f"Error: {message}\n"


def test_sharded_and_merged_equals_unsharded(pair: tuple[Path, Path], tmp_path: Path) -> None:
    (pair[1] / "junk.json").write_text("[1, 2]")  # an unreadable file every shard reports
    whole_code, whole, _ = diff(pair, "--max-age", "30d")
    shards = []
    for index in (1, 2, 3):
        out = tmp_path / f"shard-{index}.json"
        result = run(
            "diff", str(pair[0]), str(pair[1]), "--format", "json", "--output", str(out),
            "--shard", f"{index}/3", "--max-age", "30d",
        )  # fmt: skip
        assert result.exit_code == 2
        shards.append(str(out))
        assert json.loads(out.read_text())["summary"]["endpoints"] < whole["summary"]["endpoints"]
    merged = run("merge", *shards, "--format", "json")
    assert merged.exit_code == whole_code == 2
    report = json.loads(merged.stdout)
    validate(report)
    assert report == whole
    assert run("merge", *shards, "--allow-unreadable").exit_code == 1


def test_merge_refuses_what_is_not_a_report(tmp_path: Path) -> None:
    junk = tmp_path / "junk.json"
    junk.write_text('{"hello": 1}')
    result = run("merge", str(junk))
    assert result.exit_code == 2
    assert result.output == (
        f"Error: {junk}: not a driftcheck JSON report (`driftcheck_report`: 1 expected; "
        "write one with --format json)\n"
    )
