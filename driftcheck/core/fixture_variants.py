"""Coverage of discriminated variants: recorded `owner` objects are Users and
Organizations (told apart by `type`); a fixture set with Users only leaves the
Organization case untested (pure).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from driftcheck.core.model import Finding, Location, Node, Severity
from driftcheck.core.paths import ITEMS, ROOT, VALUES, child_path, parse_path
from driftcheck.core.rules import RuleId, finding
from driftcheck.core.shape import node_at
from driftcheck.core.signature import Reach
from driftcheck.core.tags import UNTAGGED, variant_names


def tagged_nodes(shape: Node) -> Iterator[tuple[str, Node]]:
    """Every object path whose tag tells variants apart, in flatten order."""
    stack: list[tuple[str, Node]] = [(ROOT, shape)]
    while stack:
        path, node = stack.pop()
        if variant_names(node):
            yield path, node
        children = [(child_path(path, key), child) for key, child in node.keys.items()]
        if node.items is not None:
            children.append((path + ITEMS, node.items))
        if node.values is not None:
            children.append((path + VALUES, node.values))
        stack.extend(reversed(children))


def uncovered_variants(
    endpoint: str,
    status: int,
    shape: Node,
    reaches: Sequence[Reach],
    overrides: Mapping[str, Severity] | None = None,
) -> list[Finding]:
    """A `mock-uncovered-variant` for each variant no fixture has, at each tagged path
    some fixture reaches (a path no fixture reaches is not what these fixtures test)."""
    findings: list[Finding] = []
    for path, node in tagged_nodes(shape):
        reached = [reach for reach in reaches if path in reach.objects]
        if not reached:
            continue
        covered = {name for reach in reached for name in reach.tags.get(path, {})}
        location: Location = reached[0].objects[path]
        objects = sum(variant.count for variant in node.variants.values())
        for name in variant_names(node):
            if name in covered:
                continue
            findings.append(
                finding(
                    RuleId.MOCK_UNCOVERED_VARIANT,
                    endpoint=endpoint,
                    status=status,
                    path=path,
                    source="fixture",
                    baseline=f"{node.tag} {name or '(none)'} in {node.variants[name].count}/"
                    f"{objects}",
                    current="in no fixture",
                    location=location,
                    overrides=overrides,
                    variant="untagged" if name == UNTAGGED else "",
                    tag=f"`{node.tag}`" if name == UNTAGGED else node.tag,
                    name=name,
                    count=node.variants[name].count,
                    objects=objects,
                )
            )
    return findings


def variant_label(shape: Node, path: str) -> str:
    """` of type `User`` when the key at `path` belongs to some variants of its object
    only (its counts are theirs), else "": so a message says whose key it is."""
    segments = parse_path(path)
    node = node_at(shape, segments[:-1])
    key = segments[-1] if segments else None
    names = variant_names(node) if node is not None and isinstance(key, str) else []
    if node is None or not names:
        return ""
    having = [name or "(none)" for name in names if node.variants[name].keys.get(str(key))]
    if len(having) == len(names):
        return ""
    kinds = ", ".join(f"`{name}`" for name in having)
    return f" of {node.tag} {kinds}"
