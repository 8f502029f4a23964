"""Config mode's recordings: found wherever the config's places hold them, named by the
configured matchers, an endpoint's contract from the fresh ones when they hold it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from driftcheck.config import load_config
from driftcheck.errors import ConfigError, InputError
from driftcheck.run.recordings import Recordings, contract, known_endpoint, recorded_bodies

API = "https://api.x.io"


def cassette(path: Path, *exchanges: tuple[str, int, Any]) -> None:
    """A vcrpy cassette (JSON serializer) of GET exchanges: (path, status, body)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    interactions = [
        {
            "request": {"method": "GET", "uri": f"{API}{uri}", "body": None, "headers": {}},
            "response": {
                "status": {"code": status, "message": ""},
                "headers": {"Content-Type": ["application/json"]},
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
    assert [f.name for f in recordings.fresh_files()] == ["user.json"]


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
