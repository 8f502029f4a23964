"""The URLs a patched callable is called with in the code under test: found with `ast` in
the module the patch target names, constants and f-strings resolved, never imported."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from driftcheck.core.mock_match import Matched, automatic, match_mocks
from driftcheck.core.model import StatusShape
from driftcheck.core.shape import infer
from driftcheck.sources.mocks import read_mocks
from driftcheck.sources.mocks.patch_targets import patch_target_urls

API = "https://api.example.com"

CONSTS = """
    BASE_URL = "https://api.example.com"
    VERSION = "v1"
"""

CLIENT = """
    import httpx as hx
    import requests
    from requests import Session

    from pkg.consts import BASE_URL
    from . import consts

    raise SystemExit("never imported")

    USERS = f"{BASE_URL}/users"


    def get_user(user_id):
        return requests.get(f"{USERS}/{user_id}").json()


    def get_health():
        return requests.get(BASE_URL + "/health", timeout=3)


    def fetch(url):
        return requests.get(url)  # not static: left out


    def create_user(payload):
        return requests.request("POST", f"{consts.BASE_URL}/users", json=payload)


    def anything(method):
        return requests.request(method, url=BASE_URL + "/any")


    def orders():
        return hx.get(url="{}/orders".format(BASE_URL))


    class Api:
        def __init__(self):
            self.session = Session()

        def user(self, user_id):
            return self.session.get(f"{BASE_URL}/{consts.VERSION}/users/{user_id}")

        def remove(self, user_id):
            return self.session.delete(f"{BASE_URL}/users/{user_id}")

        def again(self, user_id):
            return self.session.get(f"{USERS}/{user_id}")  # the same URL as get_user's


    def local_session():
        with Session() as s:
            return s.get("/relative/path")


    class Mine(requests.Session):
        def me(self):
            return self.get(BASE_URL + "/me")
"""


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write(tmp_path, {"pkg/__init__.py": "", "pkg/consts.py": CONSTS, "pkg/client.py": CLIENT})
    return tmp_path


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        (
            "pkg.client.requests.get",
            [("GET", f"{API}/users/{{user_id}}"), ("GET", f"{API}/health")],
        ),
        (
            "pkg.client.requests.request",  # the method from the first argument, if literal
            [("POST", f"{API}/users"), (None, f"{API}/any")],
        ),
        ("pkg.client.hx.get", [("GET", f"{API}/orders")]),  # an import alias, `url=`
        (
            "pkg.client.Session.get",  # `self.session = Session()`, `with Session() as s`
            [
                ("GET", f"{API}/v1/users/{{user_id}}"),
                ("GET", f"{API}/users/{{user_id}}"),
                ("GET", "/relative/path"),
            ],
        ),
        ("pkg.client.Session.delete", [("DELETE", f"{API}/users/{{user_id}}")]),
        ("pkg.client.Mine.get", [("GET", f"{API}/me")]),  # `self` in the patched class
        ("pkg.client.get_user", []),  # a wrapper has no URL of its own
        ("pkg.missing.requests.get", []),
        ("requests.get", []),  # a module outside the repository
    ],
)
def test_the_urls_a_patched_callable_is_called_with(
    project: Path, target: str, expected: list[tuple[str | None, str]]
) -> None:
    assert patch_target_urls([target], project) == {target: expected}


def test_a_package_module_under_src_is_found(tmp_path: Path) -> None:
    service = """
        import requests

        from svc.settings import ROOT

        def create():
            return requests.post(ROOT + "/items", json={})
    """
    write(
        tmp_path,
        {
            "src/svc/__init__.py": "",
            "src/svc/settings.py": 'ROOT = "https://svc.example.com/api"\n',
            "src/svc/api/__init__.py": service,
        },
    )
    targets = ["svc.api.requests.post", "svc.api.requests.post"]
    assert patch_target_urls(targets, tmp_path) == {
        "svc.api.requests.post": [("POST", "https://svc.example.com/api/items")]
    }


USERS_CLIENT = """
    import requests

    from pkg.consts import BASE_URL

    def get_user(user_id):
        return requests.get(f"{BASE_URL}/users/{user_id}").json()
"""

TEST_MODULE = """
    from unittest.mock import patch

    from pkg import users


    @patch("pkg.users.requests.get")
    def test_user(mock_get):
        mock_get.return_value.json.return_value = {"unrelated": True}
        users.get_user(1)
"""


def test_a_patched_mock_is_matched_through_the_code_under_test(project: Path) -> None:
    write(project, {"pkg/users.py": USERS_CLIENT, "tests/test_users.py": TEST_MODULE})
    found = read_mocks(project / "tests/test_users.py", project)
    assert [m.patch_target for m in found.mocks] == ["pkg.users.requests.get"]
    user = StatusShape(1, {"application/json": 1}, infer({"id": 1}))
    health = StatusShape(1, {"application/json": 1}, infer({"ok": True}))
    recorded = [
        automatic("GET api.example.com/health", {200: health}),
        automatic("GET api.example.com/users/{id}", {200: user}),
    ]
    urls = patch_target_urls(["pkg.users.requests.get"], project)
    result = match_mocks(found, recorded, urls)
    assert result.matched == (
        Matched(found.mocks[0], "GET api.example.com/users/{id}", 200, "patch-target"),
    )
    assert result.unmocked == ("GET api.example.com/health",)
