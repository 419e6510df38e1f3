"""DynamoDB tables as template.yaml defines them, for test fixtures and the local dev stack.

template.yaml is the one source of truth for the tables' key schemas. Tests (moto), the
benchmark and `ar-models dev` create their tables from this module instead of repeating the key
schema in Python, so a change to a key in the template cannot leave a test passing against a
table shape that is never deployed.

This is a development-time module: it needs PyYAML and a source checkout (template.yaml is not
part of the Lambda artifact), and nothing on the Lambda request path imports it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NotRequired, TypedDict, cast

import yaml  # type: ignore[import-untyped, unused-ignore]

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.literals import BillingModeType, KeyTypeType, ScalarAttributeTypeType
    from mypy_boto3_dynamodb.type_defs import (
        AttributeDefinitionTypeDef,
        GlobalSecondaryIndexTypeDef,
        KeySchemaElementTypeDef,
        ProvisionedThroughputTypeDef,
    )

DEFAULT_TEMPLATE_PATH = Path(__file__).resolve().parent.parent / "template.yaml"

TABLE_TYPE = "AWS::DynamoDB::Table"
_KEY_TYPES = frozenset({"HASH", "RANGE"})
_ATTRIBUTE_TYPES = frozenset({"S", "N", "B"})
_BILLING_MODES = frozenset({"PAY_PER_REQUEST", "PROVISIONED"})
# The parts of a CloudFormation GlobalSecondaryIndex that create_table also accepts.
_INDEX_KEYS = ("IndexName", "KeySchema", "Projection", "ProvisionedThroughput")


class CreateTableKwargs(TypedDict):
    """Keyword arguments of DynamoDB `create_table`, less `TableName`."""

    KeySchema: list[KeySchemaElementTypeDef]
    AttributeDefinitions: list[AttributeDefinitionTypeDef]
    BillingMode: BillingModeType
    ProvisionedThroughput: NotRequired[ProvisionedThroughputTypeDef]
    GlobalSecondaryIndexes: NotRequired[list[GlobalSecondaryIndexTypeDef]]


class CloudFormationLoader(yaml.SafeLoader):  # type: ignore[misc, unused-ignore]
    """A SafeLoader that also reads CloudFormation short-form tags (`!Ref`, `!Sub`, `!If`, ...).

    A tagged node is read as the plain value it carries: `!Ref ModelsTable` is "ModelsTable",
    `!If [Cond, a, b]` is ["Cond", a, b]. Good enough to read a template's literal structure,
    which is all this module and the template tests need; nothing is resolved.
    """


def _construct_tagged(loader: CloudFormationLoader, _suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_mapping(node, deep=True)


CloudFormationLoader.add_multi_constructor("!", _construct_tagged)


def load_template(template_path: Path = DEFAULT_TEMPLATE_PATH) -> dict[str, Any]:
    """The template as plain data (see `CloudFormationLoader`). ValueError if it is not one."""
    try:
        document = yaml.load(template_path.read_text(encoding="utf-8"), CloudFormationLoader)  # noqa: S506 - a SafeLoader
    except yaml.YAMLError as exc:
        raise ValueError(f"{template_path} is not valid YAML: {exc}") from exc
    if not isinstance(document, dict):
        raise ValueError(f"{template_path} is not a CloudFormation template (not a mapping)")
    return document


def table_definitions(template_path: Path = DEFAULT_TEMPLATE_PATH) -> dict[str, CreateTableKwargs]:
    """`create_table` kwargs of every DynamoDB table of the template, keyed by logical id.

    Use as `client.create_table(TableName=name, **definitions["ModelsTable"])`. Raises
    ValueError if the template has no table or a table's definition is malformed.
    """
    resources = load_template(template_path).get("Resources")
    if not isinstance(resources, dict):
        raise ValueError(f"{template_path} has no Resources section")
    tables = {
        logical_id: _create_table_kwargs(f"{template_path}: {logical_id}", resource)
        for logical_id, resource in resources.items()
        if isinstance(resource, dict) and resource.get("Type") == TABLE_TYPE
    }
    if not tables:
        raise ValueError(f"{template_path} defines no {TABLE_TYPE} resource")
    return tables


def _create_table_kwargs(where: str, resource: Mapping[str, Any]) -> CreateTableKwargs:
    properties = resource.get("Properties")
    if not isinstance(properties, dict):
        raise ValueError(f"{where}: a table needs Properties")
    billing_mode = properties.get("BillingMode", "PROVISIONED")
    if billing_mode not in _BILLING_MODES:
        raise ValueError(f"{where}: BillingMode must be one of {sorted(_BILLING_MODES)}")
    kwargs: CreateTableKwargs = {
        "KeySchema": _key_schema(where, properties.get("KeySchema")),
        "AttributeDefinitions": _attribute_definitions(
            where, properties.get("AttributeDefinitions")
        ),
        "BillingMode": cast("BillingModeType", billing_mode),
    }
    if "ProvisionedThroughput" in properties:
        kwargs["ProvisionedThroughput"] = cast(
            "ProvisionedThroughputTypeDef", dict(properties["ProvisionedThroughput"])
        )
    if properties.get("GlobalSecondaryIndexes"):
        kwargs["GlobalSecondaryIndexes"] = [
            _global_secondary_index(f"{where} GlobalSecondaryIndexes", index)
            for index in _mappings(
                where, "GlobalSecondaryIndexes", properties["GlobalSecondaryIndexes"]
            )
        ]
    defined = {a["AttributeName"] for a in kwargs["AttributeDefinitions"]}
    keys = {k["AttributeName"] for k in kwargs["KeySchema"]}
    for index in kwargs.get("GlobalSecondaryIndexes", []):
        keys |= {k["AttributeName"] for k in index["KeySchema"]}
    if keys != defined:
        raise ValueError(
            f"{where}: AttributeDefinitions {sorted(defined)} must be exactly the key attributes "
            f"{sorted(keys)}"
        )
    return kwargs


def _key_schema(where: str, value: object) -> list[KeySchemaElementTypeDef]:
    schema: list[KeySchemaElementTypeDef] = []
    for element in _mappings(where, "KeySchema", value):
        key_type = _text(where, element, "KeyType")
        if key_type not in _KEY_TYPES:
            raise ValueError(f"{where}: KeyType must be HASH or RANGE, got {key_type!r}")
        schema.append(
            {
                "AttributeName": _text(where, element, "AttributeName"),
                "KeyType": cast("KeyTypeType", key_type),
            }
        )
    if [k["KeyType"] for k in schema] not in (["HASH"], ["HASH", "RANGE"]):
        raise ValueError(f"{where}: KeySchema must be a HASH key, optionally then a RANGE key")
    return schema


def _attribute_definitions(where: str, value: object) -> list[AttributeDefinitionTypeDef]:
    definitions: list[AttributeDefinitionTypeDef] = []
    for element in _mappings(where, "AttributeDefinitions", value):
        attribute_type = _text(where, element, "AttributeType")
        if attribute_type not in _ATTRIBUTE_TYPES:
            raise ValueError(f"{where}: AttributeType must be S, N or B, got {attribute_type!r}")
        definitions.append(
            {
                "AttributeName": _text(where, element, "AttributeName"),
                "AttributeType": cast("ScalarAttributeTypeType", attribute_type),
            }
        )
    return definitions


def _global_secondary_index(where: str, index: Mapping[str, Any]) -> GlobalSecondaryIndexTypeDef:
    name = _text(where, index, "IndexName")
    definition = {key: index[key] for key in _INDEX_KEYS if key in index}
    definition["KeySchema"] = _key_schema(f"{where} {name}", index.get("KeySchema"))
    if not isinstance(index.get("Projection"), dict):
        raise ValueError(f"{where} {name}: an index needs a Projection")
    return cast("GlobalSecondaryIndexTypeDef", definition)


def _mappings(where: str, name: str, value: object) -> list[Mapping[str, Any]]:
    if not isinstance(value, list) or not value or not all(isinstance(v, dict) for v in value):
        raise ValueError(f"{where}: {name} must be a non-empty list of mappings")
    return value


def _text(where: str, mapping: Mapping[str, Any], name: str) -> str:
    value = mapping.get(name)
    if not isinstance(value, str) or not value:
        raise ValueError(f"{where}: {name} must be a non-empty string, got {value!r}")
    return value
