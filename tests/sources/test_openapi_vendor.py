"""Vendor spellings that change what a schema allows (red team 6): Kubernetes'
`IntOrString` (`type: string, format: int-or-string`) takes integers too; Azure's
`x-ms-enum: {modelAsString: true}` leaves an enum open. Read as their clients read
them, so a recorded `targetPort: 8080` or a new VM priority is no finding."""

from __future__ import annotations

from pathlib import Path

from driftcheck.sources.openapi import load_spec
from tests.sources.test_openapi import schema

VENDOR = Path(__file__).parent.parent / "data" / "specs" / "vendor"
SERVICE = "/api/v1/namespaces/{namespace}/services/{name}"
VM = (
    "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}"
    "/providers/Microsoft.Compute/virtualMachines/{vmName}"
)


def test_kubernetes_int_or_string_allows_integers() -> None:
    service = schema(load_spec(VENDOR / "k8s_int_or_string.yaml"), "GET", SERVICE, "200")
    port = service.properties["spec"].properties["ports"].items
    assert port is not None
    assert port.properties["targetPort"].types == frozenset({"integer", "string"})
    assert port.properties["protocol"].types == frozenset({"string"})  # others as written


def test_an_azure_extensible_enum_is_open() -> None:
    machine = schema(load_spec(VENDOR / "azure_extensible_enum.yaml"), "GET", VM, "200")
    assert machine.properties["properties"].properties["priority"].enum is None
