"""The pytest plugin: assert that a mock payload matches an endpoint's recorded contract.

Enabled by installing driftcheck (entry point `pytest11`). It finds the config the way
the CLI does, from the working directory up to the repository root, unless the
`driftcheck_config` ini option names one.

    def test_user_mock(assert_matches_contract):
        assert_matches_contract(MOCK_USER, "user")
        assert_matches_contract(MOCK_USER, "GET https://api.example.com/users/1")
        assert_matches_contract({"error": "not found"}, "user", status=404)

The config's [severity] and [[ignore]] apply as in the CLI: a finding an ignore hides,
or below `driftcheck_fail_on` (default `warning`), does not fail the test. What is wrong
with the policy itself (an ignore whose endpoint glob matches no endpoint, an expired
one) is a pytest warning, once per session: it concerns the config, not one test, and
must show when every test passes too.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from driftcheck.core.text import visible  # re only: cheap at plugin load

if TYPE_CHECKING:  # imported when first used, so a pytest run that never asks pays nothing
    from driftcheck.core.model import Severity
    from driftcheck.run.mocks_payload import Checked, Contracts

FAIL_ON_DEFAULT = "warning"


class DriftcheckWarning(UserWarning):
    """Something in the driftcheck config a test run should know about."""


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        "driftcheck_config",
        "driftcheck config file (default: driftcheck.toml or [tool.driftcheck] in "
        "pyproject.toml, found like the CLI does)",
        default="",
    )
    parser.addini(
        "driftcheck_fail_on",
        "lowest finding severity that fails assert_matches_contract: breaking, warning "
        f"or info (default: {FAIL_ON_DEFAULT})",
        default=FAIL_ON_DEFAULT,
    )


class ContractChecker:
    """The config, the recordings and each endpoint's contract, read once per session."""

    def __init__(self, config_path: Path | None, fail_on: str = FAIL_ON_DEFAULT) -> None:
        self._config_path = config_path
        self._fail_on = fail_on
        self._contracts: Contracts | None = None
        self._warned = False

    def contracts(self) -> Contracts:
        from driftcheck.config import load_config
        from driftcheck.run.mocks_payload import Contracts
        from driftcheck.run.recordings import Recordings
        from driftcheck.sources.scan import Settings

        if self._contracts is None:
            config = load_config(self._config_path, require_env=False)
            reading = Settings(config.workers, config.cache, config.scrub_body)
            self._contracts = Contracts(config, Recordings(config, reading))
        return self._contracts

    def threshold(self) -> Severity:
        from driftcheck.core.policy import LEVELS, parse_level
        from driftcheck.errors import ConfigError

        level = parse_level(self._fail_on.strip().lower())
        if level is None:
            valid = ", ".join(LEVELS)
            raise ConfigError(f"ini option driftcheck_fail_on = {self._fail_on!r}; valid: {valid}")
        return level

    def check(self, payload: Any, endpoint: str, status: int = 200) -> None:
        """Fail the test, listing every failing finding, when `payload` disagrees with
        what `endpoint` recorded answering `status`."""
        __tracebackhide__ = True
        from driftcheck.errors import DriftcheckError
        from driftcheck.run.mocks_payload import not_json
        from driftcheck.sources.fixtures import jsonable

        if not isinstance(endpoint, str) or not isinstance(status, int):
            pytest.fail(
                "driftcheck: assert_matches_contract(payload, endpoint, status=200) takes an "
                f"endpoint name (a str) and a status (an int), not {type(endpoint).__name__} "
                f"and {type(status).__name__}",
                pytrace=False,
            )
        problem = not_json(payload)
        if problem is not None:
            pytest.fail(visible(f"driftcheck: mock payload: {problem}"), pytrace=False)
        try:
            contracts = self.contracts()
            self._warn_once(contracts)
            checked = contracts.check(
                jsonable(payload, "payload"), endpoint, status, self.threshold()
            )
        except DriftcheckError as error:
            failure = visible(f"driftcheck: {error}")
        else:
            if checked.failing:
                pytest.fail(failure_text(checked), pytrace=False)
            return
        pytest.fail(failure, pytrace=False)  # outside `except`: pytest shows its error too

    def _warn_once(self, contracts: Contracts) -> None:
        if self._warned:
            return
        self._warned = True
        for text in contracts.policy_warnings():
            warnings.warn(DriftcheckWarning(f"driftcheck: {text}"), stacklevel=3)


def failure_text(checked: Checked) -> str:
    """The endpoint and status held to, then one line per failing finding."""
    contract = checked.contract
    asked = f" (for `{checked.asked}`)" if checked.asked != contract.endpoint else ""
    samples = f"{contract.samples} recorded response{'' if contract.samples == 1 else 's'}"
    lines = [
        f"mock payload does not match the recorded contract of endpoint "
        f"`{contract.endpoint}`{asked}, status {contract.status} ({samples}):"
    ]
    lines += [f"  {f.rule} ({f.severity.label}) {f.path}: {f.message}" for f in checked.failing]
    # Keys and endpoint names come from recordings and tests: shown, never acted on.
    return "\n".join(visible(line) for line in lines)


@pytest.fixture(scope="session")
def driftcheck_contracts(pytestconfig: pytest.Config) -> ContractChecker:
    """The session's contract checker (config and recordings read once)."""
    configured = str(pytestconfig.getini("driftcheck_config") or "")
    path = pytestconfig.rootpath / configured if configured else None
    fail_on = str(pytestconfig.getini("driftcheck_fail_on") or FAIL_ON_DEFAULT)
    return ContractChecker(path, fail_on)


@pytest.fixture
def assert_matches_contract(
    driftcheck_contracts: ContractChecker,
) -> Callable[..., None]:
    """`assert_matches_contract(payload, "user", status=200)` fails with the findings."""
    return driftcheck_contracts.check
