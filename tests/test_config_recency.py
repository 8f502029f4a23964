"""Config: `contract_since` and `contract_newest`, top-level and per endpoint, and the map
path patterns (`maps`, `not_maps`)."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from driftcheck.config import load_config
from driftcheck.core.recency import Recency
from driftcheck.errors import ConfigError

ENDPOINTS = """
[[endpoints]]
name = "user"
url = "https://api.example.com/users/{id}"
{user}

[[endpoints]]
name = "team"
url = "https://api.example.com/teams/{id}"
"""


def write(folder: Path, top: str, user: str = "") -> Path:
    path = folder / "driftcheck.toml"
    path.write_text(top + ENDPOINTS.replace("{user}", user))
    return path


def test_an_endpoint_s_own_keys_override_the_top_level_ones_each(tmp_path: Path) -> None:
    config = load_config(
        write(tmp_path, "contract_since = 2020-01-01\ncontract_newest = 3\n", "contract_newest = 1")
    )
    since = datetime.date(2020, 1, 1)
    assert (config.contract_since, config.contract_newest) == (since, 3)
    assert config.recency("user") == Recency(since, 1)
    assert config.recency("team") == Recency(since, 3)
    assert config.recency("GET api.example.com/health") == Recency(since, 3)
    (user, team) = config.endpoints
    assert (user.contract_since, user.contract_newest) == (None, 1)
    assert (team.contract_since, team.contract_newest) == (None, None)


@pytest.mark.parametrize(
    ("since", "day"),
    [
        ("2019-05-01", datetime.date(2019, 5, 1)),
        ('"2019-05-01"', datetime.date(2019, 5, 1)),
        ("2019-05-01T10:00:00Z", datetime.date(2019, 5, 1)),
    ],
)
def test_a_date_is_a_toml_date_or_iso_text(tmp_path: Path, since: str, day: datetime.date) -> None:
    config = load_config(write(tmp_path, "", f"contract_since = {since}"))
    assert config.recency("user") == Recency(since=day)
    assert not config.recency("team")


def test_nothing_configured_keeps_every_recording(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, ""))
    assert config.recency("user") == Recency()
    assert (config.maps, config.not_maps) == ((), ())


@pytest.mark.parametrize(
    ("top", "user", "message"),
    [
        (
            'contract_since = "May 2019"\n',
            "",
            "`contract_since` must be a date such as 2020-01-01, not 'May 2019'",
        ),
        (
            "contract_since = 2019\n",
            "",
            "`contract_since` must be a date such as 2020-01-01, not 2019",
        ),
        (
            "contract_newest = 0\n",
            "",
            "`contract_newest` must be at least 1 (recording days), not 0",
        ),
        (
            "",
            'contract_newest = "2"',
            "`contract_newest` in endpoint `user` must be an integer, not '2'",
        ),
        (
            "",
            'contract_since = "2019-02-30"',
            "`contract_since` in endpoint `user` must be a date such as 2020-01-01, "
            "not '2019-02-30'",
        ),
        ("contract_sinse = 2019-05-01\n", "", "unknown key `contract_sinse`; did you mean"),
        ("", "contract_neweset = 2", "unknown key `contract_neweset` in endpoint `user`; did"),
        ('maps = ["$.assets", 3]\n', "", "`maps` must list strings, not 3"),
    ],
)
def test_recency_errors_name_the_key_and_the_endpoint(
    tmp_path: Path, top: str, user: str, message: str
) -> None:
    path = write(tmp_path, top, user)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value).startswith(f"{path}: {message}")


def test_map_patterns_are_read_as_given(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, 'maps = ["$.assets"]\nnot_maps = ["$.meta.*"]\n'))
    assert (config.maps, config.not_maps) == (("$.assets",), ("$.meta.*",))
