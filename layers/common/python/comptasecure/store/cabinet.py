"""Firm information (one item per account) and CRMs (one item per account and analysis), one attribute
per field.

An empty field is an absent attribute, so "fill this firm field only if it is empty" is a condition
on that one attribute and two CRM saves at once can never overwrite each other's back-fill.
"""

from typing import Any, cast

from comptasecure import aws
from comptasecure.errors import DomainError
from comptasecure.store import keys
from comptasecure.store.batch import get_many
from comptasecure.store.conditions import conditional
from comptasecure.store.transaction import Transaction

# An item of firm fields (firm information or a CRM): every attribute is text, an empty field is absent.
FieldsItem = dict[str, str]


def get_cabinet(account_id: str) -> FieldsItem:
    item = aws.table().get_item(Key=keys.key(keys.account_pk(account_id), keys.CABINET_SK)).get("Item")
    return cast(FieldsItem, item or {})


def update_cabinet(tx: Transaction, account_id: str, filled: dict[str, str], emptied: list[str]) -> None:
    _set_and_remove(tx, keys.key(keys.account_pk(account_id), keys.CABINET_SK), "cabinet", filled, emptied)


def fill_if_empty(
    tx: Transaction, account_id: str, fields: dict[str, str], *, on_condition_failed: DomainError
) -> None:
    """Fill these firm fields, only if every one is still empty (no one filled it meanwhile)."""
    names = {"#kind": "kind"} | {f"#f{i}": name for i, name in enumerate(fields)}
    values: dict[str, Any] = {":kind": "cabinet", ":null": None, ":empty": ""}
    values |= {f":v{i}": value for i, value in enumerate(fields.values())}
    tx.update(
        keys.key(keys.account_pk(account_id), keys.CABINET_SK),
        "SET #kind = :kind, " + ", ".join(f"#f{i} = :v{i}" for i in range(len(fields))),
        condition=" AND ".join(
            f"(attribute_not_exists(#f{i}) OR #f{i} = :null OR #f{i} = :empty)" for i in range(len(fields))
        ),
        names=names,
        values=values,
        on_condition_failed=on_condition_failed,
    )


def get_crm_and_cabinet(account_id: str, analysis_id: str) -> tuple[FieldsItem, FieldsItem]:
    """The account's CRM of this analysis and its firm information, in one BatchGetItem ({} if absent)."""
    crm_key = keys.key(keys.account_pk(account_id), keys.crm_sk(analysis_id))
    cabinet_key = keys.key(keys.account_pk(account_id), keys.CABINET_SK)
    found = {item["SK"]: item for item in get_many([crm_key, cabinet_key])}
    return cast(FieldsItem, found.get(crm_key["SK"], {})), cast(FieldsItem, found.get(cabinet_key["SK"], {}))


def save_crm(tx: Transaction, account_id: str, analysis_id: str, filled: dict[str, str], emptied: list[str]) -> None:
    """Save the account's own CRM of this analysis (in the account's partition: no other account sees it)."""
    crm_key = keys.key(keys.account_pk(account_id), keys.crm_sk(analysis_id))
    _set_and_remove(tx, crm_key, "crm", {**filled, "analysis_id": analysis_id}, emptied)


def release_analysis(analysis_id: str, account_id: str) -> None:
    """Delete the account's claim on an analysis id: written by the first CRM save before CRMs were
    the saving account's alone (no longer written), still removed with the account. Raises
    ConditionFailed when another account holds the claim."""
    with conditional():
        aws.table().delete_item(
            Key=keys.key(keys.analysis_pk(analysis_id), keys.ANALYSIS_SK),
            ConditionExpression="account_id = :account_id",
            ExpressionAttributeValues={":account_id": account_id},
        )


def _set_and_remove(
    tx: Transaction, key: dict[str, str], kind: str, filled: dict[str, str], emptied: list[str]
) -> None:
    names = {"#kind": "kind"}
    values: dict[str, Any] = {":kind": kind}
    assignments = ["#kind = :kind"]
    for i, (name, value) in enumerate(filled.items()):
        names[f"#s{i}"] = name
        values[f":s{i}"] = value
        assignments.append(f"#s{i} = :s{i}")
    expression = "SET " + ", ".join(assignments)
    if emptied:
        names.update({f"#r{i}": name for i, name in enumerate(emptied)})
        expression += " REMOVE " + ", ".join(f"#r{i}" for i in range(len(emptied)))
    tx.update(key, expression, names=names, values=values)
