"""Vendor spellings that change what a schema allows (red team 6): Kubernetes'
`IntOrString` (`type: string, format: int-or-string`) takes integers too; Azure's
`x-ms-enum: {modelAsString: true}` leaves an enum open. Read as their clients read
them, so a recorded `targetPort: 8080` or a new VM priority is no finding."""

from __future__ import annotations

from pathlib import Path

from driftcheck.core.spec_model import SchemaNode
from driftcheck.sources.openapi import load_spec
from driftcheck.sources.openapi_merge import trivial
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


LINKED = (
    "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers"
    "/Microsoft.DataFactory/factories/{factoryName}/linkedservices/{linkedServiceName}"
)


def test_a_discriminator_without_a_mapping_leaves_its_object_open() -> None:
    """Azure's polymorphic `LinkedService` (subtypes name it through `allOf`, with
    `x-ms-discriminator-value`): the keys its subtypes add are not known, so none is
    reported as undocumented; its own properties are still checked."""
    spec = load_spec(VENDOR / "unmapped_discriminator.yaml")
    service = schema(spec, "GET", LINKED, "200").properties["properties"]
    assert isinstance(service.additional, SchemaNode)
    assert trivial(service.additional)  # other keys: any value, say nothing
    assert "type" in service.properties
