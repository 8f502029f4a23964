"""Config mode's recordings: found wherever the config's places hold them, named by the
configured matchers, an endpoint's contract from the fresh ones when they hold it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from driftcheck.config import load_config
from driftcheck.core.model import Severity
from driftcheck.errors import ConfigError, InputError
from driftcheck.run.mocks_payload import Contracts
from driftcheck.run.recordings import Recordings, contract, known_endpoint, recorded_bodies

API = "https://api.x.io"


def cassette(path: Path, *exchanges: tuple[str, int, Any], date: str | None = None) -> None:
    """A vcrpy cassette (JSON serializer) of GET exchanges: (path, status, body); with
    `date`, each response's Date header."""
    path.parent.mkdir(parents=True, exist_ok=True)
    dated = {"Date": [date]} if date else {}
    interactions = [
        {
            "request": {"method": "GET", "uri": f"{API}{uri}", "body": None, "headers": {}},
            "response": {
                "status": {"code": status, "message": ""},
                "headers": {"Content-Type": ["application/json"], **dated},
                "body": {"string": json.dumps(body)},
            },
        }
        for uri, status, body in exchanges
    ]
    path.write_text(json.dumps({"interactions": interactions, "version": 1}))


def config_in(folder: Path, text: str = "") -> Path:
    path = folder / "driftcheck.toml"
    path.write_text(
        f'cassettes = "recordings"\nfresh = "recordings/fresh"\n{text}'
        f'[[endpoints]]\nname = "user"\nurl = "{API}/users/{{id}}"\n'
    )
    return path


def test_the_contract_comes_from_fresh_recordings_when_they_hold_the_endpoint(
    tmp_path: Path,
) -> None:
    config = load_config(config_in(tmp_path))
    cassette(tmp_path / "recordings" / "a.json", ("/users/1", 200, {"id": 1, "name": "x"}))
    cassette(tmp_path / "recordings" / "b" / "c.json", ("/users/2", 200, {"id": 2}))
    assert contract(config, "user").samples == 2  # the fresh folder inside: not committed
    cassette(tmp_path / "recordings" / "fresh" / "user.json", ("/users/1", 200, {"id": "1"}))
    recordings = Recordings(config)
    assert recordings.holding("user") is recordings.fresh
    assert contract(config, "user", recordings).samples == 1
    assert [Path(f).name for f in recordings.fresh_files()] == ["user.json"]


def test_an_unreadable_file_does_not_hide_the_recordings_of_others(tmp_path: Path) -> None:
    config = load_config(config_in(tmp_path))
    cassette(tmp_path / "recordings" / "a.json", ("/users/1", 200, {"id": 1}))
    (tmp_path / "recordings" / "notes.yaml").write_text("just: notes\n")
    recordings = Recordings(config)
    assert contract(config, "user", recordings).samples == 1
    (error,) = recordings.committed.errors
    assert error.file.endswith("notes.yaml")


def test_no_success_recorded_names_the_file(tmp_path: Path) -> None:
    config = load_config(config_in(tmp_path))
    cassette(tmp_path / "recordings" / "a.json", ("/users/1", 404, {"error": "no"}))
    with pytest.raises(InputError) as caught:
        contract(config, "user")
    assert str(caught.value) == (
        f"{tmp_path}/recordings/a.json: no successful (2xx) JSON response recorded for `user`"
    )


def test_known_endpoints_are_configured_or_recorded_keys(tmp_path: Path) -> None:
    config = load_config(config_in(tmp_path))
    cassette(
        tmp_path / "recordings" / "a.json",
        ("/users/1", 200, {"id": 1}),
        ("/teams", 200, [{"id": 1}]),
    )
    assert known_endpoint(config, "user") == "user"
    assert known_endpoint(config, "GET api.x.io/teams") == "GET api.x.io/teams"
    with pytest.raises(ConfigError) as caught:
        known_endpoint(config, "usr")
    assert str(caught.value) == (
        "unknown endpoint `usr`; did you mean `user`? (known: user, GET api.x.io/teams)"
    )


def test_bodies_for_variants_come_from_every_file_holding_the_endpoint(tmp_path: Path) -> None:
    config = load_config(config_in(tmp_path))
    cassette(
        tmp_path / "recordings" / "a.json",
        ("/users/1", 200, {"id": 1}),
        ("/teams", 200, [{"id": 1}]),
    )
    cassette(tmp_path / "recordings" / "z" / "b.json", ("/users/2", 200, {"id": 2, "x": None}))
    recorded, bodies = recorded_bodies(config, "user")
    assert (recorded.samples, bodies) == (2, [{"id": 1}, {"id": 2, "x": None}])


OLD = "Wed, 03 Jun 2015 10:00:00 GMT"
NEW = "Thu, 01 Feb 2024 10:00:00 GMT"


def eras(folder: Path) -> None:
    """Beta-era recordings of 2015, recent ones of 2024, and one of no date."""
    cassette(folder / "old.json", ("/users/1", 200, {"id": 1, "beta": True}), date=OLD)
    cassette(folder / "new.json", ("/users/2", 200, {"id": 2, "email": "x"}), date=NEW)
    cassette(folder / "undated.json", ("/users/3", 200, {"id": 3, "email": None}))


def test_a_contract_and_its_bodies_come_from_the_days_its_recency_keeps(
    tmp_path: Path,
) -> None:
    eras(tmp_path / "recordings")
    everything = load_config(config_in(tmp_path))
    assert contract(everything, "user").samples == 3
    assert len(recorded_bodies(everything, "user")[1]) == 3
    recent = load_config(config_in(tmp_path, "contract_since = 2020-01-01\n"))
    found, bodies = recorded_bodies(recent, "user")
    assert found.samples == 2  # the undated file always counts
    assert sorted(found.shape.keys) == ["email", "id"]
    assert bodies == [{"id": 2, "email": "x"}, {"id": 3, "email": None}]


def test_a_recency_that_keeps_no_success_says_so(tmp_path: Path) -> None:
    cassette(tmp_path / "recordings" / "old.json", ("/users/1", 200, {"id": 1}), date=OLD)
    config = load_config(config_in(tmp_path, "contract_since = 2030-01-01\n"))
    with pytest.raises(InputError) as caught:
        contract(config, "user")
    assert str(caught.value) == (
        "no successful (2xx) JSON response recorded for `user` within `contract_since = 2030-01-01`"
    )


def test_the_plugin_holds_a_payload_to_the_recordings_the_recency_keeps(tmp_path: Path) -> None:
    """`beta` was returned in 2015 only: a payload that has it is wrong for the API of
    today, which only a contract of the recent recordings can say."""
    eras(tmp_path / "recordings")
    payload = {"id": 9, "email": "a", "beta": False}
    everything = Contracts(load_config(config_in(tmp_path)))
    assert everything.check(payload, "user", 200, Severity.WARNING).findings == ()
    recent = Contracts(load_config(config_in(tmp_path, "contract_newest = 1\n")))
    checked = recent.check(payload, "user", 200, Severity.WARNING)
    assert [(f.rule, f.path) for f in checked.findings] == [("mock-field-unknown", "$.beta")]
    assert checked.contract.samples == 2


def test_an_endpoint_of_more_urls_than_are_kept_says_its_urls_are_a_sample(
    tmp_path: Path,
) -> None:
    """Past `URIS` distinct URLs an endpoint keeps the first ones, in recorded order,
    and says so (a URL-regex mock is then not matched by guess: `core/mock_match`)."""
    from driftcheck.core.census import URIS

    many = [(f"/users/{n}", 200, {"id": n}) for n in range(URIS + 40)]
    cassette(tmp_path / "recordings" / "a.json", *many[: URIS // 2])
    cassette(tmp_path / "recordings" / "b.json", *many[URIS // 2 :])
    cassette(tmp_path / "recordings" / "c.json", ("/users/1", 200, {"id": 1}))
    committed = Recordings(load_config(config_in(tmp_path))).committed
    assert committed.sampled() == {"user"}
    assert committed.uris()["user"] == tuple(f"{API}{uri}" for uri, _, _ in many[:URIS])
    assert committed.endpoints.endpoints["user"][200].samples == URIS + 41


def test_of_files_recorded_at_the_same_time_the_newest_is_the_first_by_path(
    tmp_path: Path,
) -> None:
    """A dated file and an undated one whose modification time is the same moment: the
    one whose path sorts first is named, however each time is known."""
    import datetime
    import os

    from driftcheck.run.recordings import newest

    when = datetime.datetime(2023, 1, 2, tzinfo=datetime.timezone.utc)
    cassette(tmp_path / "recordings" / "b.json", ("/users/1", 200, {"id": 1}), date=_http(when))
    cassette(tmp_path / "recordings" / "a.json", ("/users/2", 200, {"id": 2}))
    os.utime(tmp_path / "recordings" / "a.json", (when.timestamp(), when.timestamp()))
    committed = Recordings(load_config(config_in(tmp_path))).committed
    (found,) = newest(committed, ["user"])
    assert (Path(found.file).name, found.stamp) == ("a.json", when.timestamp())


def _http(when: Any) -> str:
    return str(when.strftime("%a, %d %b %Y %H:%M:%S GMT"))
