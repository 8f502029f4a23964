"""The pytest plugin: assert that a mock payload matches an endpoint's recorded contract.

Enabled by installing driftcheck (entry point `pytest11`). It finds the config the way
the CLI does, from the working directory up to the repository root, unless the
`driftcheck_config` ini option names one.

    def test_user_mock(assert_matches_contract):
        assert_matches_contract(MOCK_USER, "user")
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:  # imported when first used, so a pytest run that never asks pays nothing
    from driftcheck.config import Config
    from driftcheck.core.fixture_check import Contract


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        "driftcheck_config",
        "driftcheck config file (default: driftcheck.toml or [tool.driftcheck] in "
        "pyproject.toml, found like the CLI does)",
        default="",
    )


class ContractChecker:
    """Loads the config and each endpoint's recorded contract once per test session."""

    def __init__(self, config_path: Path | None) -> None:
        self._config_path = config_path
        self._config: Config | None = None
        self._contracts: dict[str, Contract] = {}

    def contract(self, endpoint: str) -> Contract:
        from driftcheck.config import load_config
        from driftcheck.run import recordings

        if self._config is None:
            self._config = load_config(self._config_path, require_env=False)
        if endpoint not in self._contracts:
            name = recordings.known_endpoint(self._config, endpoint)
            self._contracts[endpoint] = recordings.contract(self._config, name)
        return self._contracts[endpoint]

    def check(self, payload: Any, endpoint: str) -> None:
        """Fail the test, listing every finding, when `payload` disagrees with `endpoint`."""
        __tracebackhide__ = True
        from driftcheck.errors import DriftcheckError
        from driftcheck.run.inspect import payload_findings
        from driftcheck.sources.fixtures import jsonable

        try:
            recorded = self.contract(endpoint)
            findings = payload_findings(recorded, jsonable(payload, "payload"))
        except DriftcheckError as error:
            pytest.fail(f"driftcheck: {error}", pytrace=False)
        if findings:
            lines = [
                f"mock payload does not match the recorded contract of endpoint `{endpoint}` "
                f"({recorded.samples} recorded responses):"
            ]
            lines += [f"  {f.rule} ({f.severity.label}) {f.path}: {f.message}" for f in findings]
            pytest.fail("\n".join(lines), pytrace=False)


@pytest.fixture(scope="session")
def driftcheck_contracts(pytestconfig: pytest.Config) -> ContractChecker:
    """The session's contract checker (config and recordings read once)."""
    configured = str(pytestconfig.getini("driftcheck_config") or "")
    path = pytestconfig.rootpath / configured if configured else None
    return ContractChecker(path)


@pytest.fixture
def assert_matches_contract(
    driftcheck_contracts: ContractChecker,
) -> Callable[[Any, str], None]:
    """`assert_matches_contract(payload, "user")` fails with the findings, if any."""
    return driftcheck_contracts.check
