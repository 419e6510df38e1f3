"""template.yaml rendered for one deployment mode: single region, writer or reader.

The template decides its mode from a few parameters (ReplicaRegions, WriterRegion, the routing
ones) and the stack's region. `render` resolves exactly the conditions that depend on those
alone, as CloudFormation would for a stack deployed with these values: resources and outputs of
a false condition go, `!If`s of these conditions become their branch, `AWS::NoValue` disappears.
Every other condition (a catalog bucket, an alarm topic...) is left as written, so the result
is still a template: cfn-lint and the SAM transform take it, and the tests that describe one
mode read it as they read the template itself.

Intrinsics are in their long form (`{"Ref": ...}`, `{"Fn::If": [...]}`), as samtranslator's
`yaml_parse` returns them; `load_long_form` reads a template that way without samtranslator, and
`plain` turns the long form into the short-form reading of `devtools.template_tables`
(`!Ref X` -> "X", `!GetAtt X.Arn` -> "X.Arn", `!If [c, a, b]` -> [c, a, b]).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped, unused-ignore]

from devtools.template_tables import DEFAULT_TEMPLATE_PATH

# The multi-region parameters: a condition that reads only these (and pseudo parameters) is
# resolved by `render`.
MODE_PARAMETERS = frozenset(
    {
        "ReplicaRegions",
        "WriterRegion",
        "ModelsGlobalTableName",
        "ApiKeysGlobalTableName",
        "GlobalTablesInStack",
        "DomainName",
        "CertificateArn",
        "HostedZoneId",
    }
)
WRITER_REGION = "us-east-1"
SINGLE: dict[str, str] = {}
WRITER = {"ReplicaRegions": "eu-west-1,ap-southeast-2", "WriterRegion": WRITER_REGION}
# The same parameters as the writer's, deployed in one of the replica regions.
READER = dict(WRITER)
READER_REGION = "eu-west-1"
ROUTING = {
    "DomainName": "models.example.com",
    "CertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-e4f5",
    "HostedZoneId": "Z0123456789ABCDEFGHIJ",
}

_NO_VALUE = {"Ref": "AWS::NoValue"}
_DROPPED = object()


class _LongFormLoader(yaml.SafeLoader):  # type: ignore[misc, unused-ignore]
    """Short-form tags read as their long form, as CloudFormation reads them."""


def _construct(loader: _LongFormLoader, suffix: str, node: yaml.Node) -> Any:
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if suffix in {"Ref", "Condition"}:
        return {suffix: value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{suffix}": value}


_LongFormLoader.add_multi_constructor("!", _construct)


def load_long_form(path: Path = DEFAULT_TEMPLATE_PATH) -> dict[str, Any]:
    document: dict[str, Any] = yaml.load(path.read_text(encoding="utf-8"), _LongFormLoader)
    return document


def render(
    document: Mapping[str, Any],
    parameters: Mapping[str, str] | None = None,
    *,
    region: str = WRITER_REGION,
) -> dict[str, Any]:
    """The template (long form) as a stack in `region` with these parameter values sees it."""
    parameters = parameters or {}
    values = {name: str(spec.get("Default", "")) for name, spec in document["Parameters"].items()}
    unknown = set(parameters) - set(values)
    assert not unknown, f"no such parameter: {sorted(unknown)}"
    values.update(parameters)
    values.update({"AWS::Region": region, "AWS::Partition": "aws", "AWS::URLSuffix": ""})
    conditions: dict[str, Any] = document.get("Conditions", {})
    resolved: dict[str, bool] = {}

    def is_mode(name: str) -> bool:
        return _reads_only_mode_parameters(conditions[name], conditions)

    def truth(name: str) -> bool:
        if name not in resolved:
            resolved[name] = bool(_evaluate(conditions[name], values, truth))
        return resolved[name]

    mode = {name for name in conditions if is_mode(name)}

    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            if set(value) == {"Fn::If"} and value["Fn::If"][0] in mode:
                condition, yes, no = value["Fn::If"]
                branch = yes if truth(condition) else no
                # A resolved `!If` that gives AWS::NoValue removes its key or list item.
                return _DROPPED if branch == _NO_VALUE else walk(branch)
            kept = {k: walk(v) for k, v in value.items()}
            return {k: v for k, v in kept.items() if v is not _DROPPED}
        if isinstance(value, list):
            items = [walk(item) for item in value]
            return [item for item in items if item is not _DROPPED]
        return value

    output: dict[str, Any] = {}
    for section, content in document.items():
        if section in {"Resources", "Outputs"}:
            kept: dict[str, Any] = {}
            for logical_id, entry in content.items():
                condition = entry.get("Condition")
                if condition in mode:
                    if not truth(condition):
                        continue
                    entry = {k: v for k, v in entry.items() if k != "Condition"}
                kept[logical_id] = walk(entry)
            output[section] = kept
        elif section == "Parameters":
            # The values given become the defaults: what cfn-lint checks the template with.
            output[section] = {
                name: {**spec, "Default": parameters[name]} if name in parameters else spec
                for name, spec in content.items()
            }
        elif section != "Conditions":
            output[section] = walk(content)
    # The conditions left: those still used (the reader's stack has no sync, so no
    # HasCatalogBucket), as CloudFormation would accept and cfn-lint asks.
    if "Conditions" in document:
        left = {k: v for k, v in conditions.items() if k not in mode}
        used = set(_condition_names(output, left))
        output["Conditions"] = {k: v for k, v in left.items() if k in used}
    return output


def _condition_names(value: Any, conditions: Mapping[str, Any]) -> Any:
    """The conditions a template's sections name (`Condition:`, `Fn::If`), transitively."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "Condition" and isinstance(inner, str):
                yield inner
                yield from _condition_names(conditions.get(inner), conditions)
            elif key == "Fn::If":
                yield inner[0]
                yield from _condition_names(conditions.get(inner[0]), conditions)
                yield from _condition_names(inner[1:], conditions)
            elif key != "Conditions":
                yield from _condition_names(inner, conditions)
    elif isinstance(value, list):
        for item in value:
            yield from _condition_names(item, conditions)


def plain(value: Any) -> Any:
    """The long form read as `devtools.template_tables.load_template` reads the short form."""
    if isinstance(value, dict):
        if len(value) == 1:
            ((key, inner),) = value.items()
            if key == "Fn::GetAtt":
                return ".".join(inner)
            if key in {"Ref", "Condition"} or key.startswith("Fn::"):
                return plain(inner)
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def _reads_only_mode_parameters(expression: Any, conditions: Mapping[str, Any]) -> bool:
    refs = list(_references(expression, conditions))
    return bool(refs) and all(ref in MODE_PARAMETERS or ref.startswith("AWS::") for ref in refs)


def _references(expression: Any, conditions: Mapping[str, Any]) -> Any:
    if isinstance(expression, dict):
        for key, inner in expression.items():
            if key == "Ref":
                yield inner
            elif key == "Condition":
                yield from _references(conditions[inner], conditions)
            elif key == "Fn::Sub" and isinstance(inner, str):
                yield from _sub_names(inner)
            else:
                yield from _references(inner, conditions)
    elif isinstance(expression, list):
        for item in expression:
            yield from _references(item, conditions)


def _sub_names(text: str) -> list[str]:
    import re

    return re.findall(r"\$\{([\w:]+)\}", text)


def _evaluate(expression: Any, values: Mapping[str, str], truth: Any) -> Any:
    """The condition functions and the few value functions conditions use here."""
    if isinstance(expression, (str, int)):
        return expression
    if isinstance(expression, list):
        return [_evaluate(item, values, truth) for item in expression]
    ((function, argument),) = expression.items()
    if function == "Ref":
        return values[argument]
    if function == "Condition":
        return truth(argument)
    if function == "Fn::Sub":
        text = argument
        for name in _sub_names(text):
            text = text.replace("${" + name + "}", values[name])
        return text
    arguments = _evaluate(argument, values, truth)
    if function == "Fn::Equals":
        return arguments[0] == arguments[1]
    if function == "Fn::Not":
        return not arguments[0]
    if function == "Fn::And":
        return all(arguments)
    if function == "Fn::Or":
        return any(arguments)
    if function == "Fn::Split":
        return arguments[1].split(arguments[0])
    if function == "Fn::Select":
        return arguments[1][int(arguments[0])]
    raise AssertionError(f"{function} is not evaluated here")  # pragma: no cover
