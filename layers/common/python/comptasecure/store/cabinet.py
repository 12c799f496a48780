"""Firm information (one item per account) and CRMs (one item per analysis), one attribute per field.

An empty field is an absent attribute, so "fill this firm field only if it is empty" is a condition
on that one attribute and two CRM saves at once can never overwrite each other's back-fill.
"""

from typing import Any

from comptasecure import aws
from comptasecure.errors import DomainError, NotFound
from comptasecure.store import keys
from comptasecure.store.transaction import Transaction

ANALYSIS_NOT_FOUND = NotFound("Analyse introuvable.", code="analysis_not_found")


def get_cabinet(account_id: str) -> dict[str, Any]:
    item = aws.table().get_item(Key=keys.key(keys.account_pk(account_id), keys.CABINET_SK)).get("Item")
    return item or {}


def update_cabinet(tx: Transaction, account_id: str, filled: dict[str, str], emptied: list[str]) -> None:
    _set_and_remove(tx, keys.key(keys.account_pk(account_id), keys.CABINET_SK), "cabinet", filled, emptied)


def fill_if_empty(
    tx: Transaction, account_id: str, field: str, value: str, *, on_condition_failed: DomainError
) -> None:
    """Fill one firm field, only if no one filled it meanwhile."""
    tx.update(
        keys.key(keys.account_pk(account_id), keys.CABINET_SK),
        "SET #field = :value, #kind = :kind",
        condition="attribute_not_exists(#field) OR #field = :null OR #field = :empty",
        names={"#field": field, "#kind": "kind"},
        values={":value": value, ":kind": "cabinet", ":null": None, ":empty": ""},
        on_condition_failed=on_condition_failed,
    )


def get_crm(account_id: str, analysis_id: str) -> dict[str, Any]:
    item = aws.table().get_item(Key=keys.key(keys.account_pk(account_id), keys.crm_sk(analysis_id))).get("Item")
    return item or {}


def save_crm(tx: Transaction, account_id: str, analysis_id: str, filled: dict[str, str], emptied: list[str]) -> None:
    """Save the CRM and record that this analysis id belongs to this account (first save claims it)."""
    tx.put(
        {**keys.key(keys.analysis_pk(analysis_id), keys.ANALYSIS_SK), "kind": "analysis", "account_id": account_id},
        condition="attribute_not_exists(PK) OR account_id = :account_id",
        values={":account_id": account_id},
        on_condition_failed=ANALYSIS_NOT_FOUND,
    )
    crm_key = keys.key(keys.account_pk(account_id), keys.crm_sk(analysis_id))
    _set_and_remove(tx, crm_key, "crm", {**filled, "analysis_id": analysis_id}, emptied)


def analysis_account(analysis_id: str) -> str | None:
    """The account whose CRM first used this analysis id, if any."""
    item = aws.table().get_item(Key=keys.key(keys.analysis_pk(analysis_id), keys.ANALYSIS_SK)).get("Item")
    return str(item["account_id"]) if item else None


def release_analysis(analysis_id: str, account_id: str) -> None:
    from botocore.exceptions import ClientError

    try:
        aws.table().delete_item(
            Key=keys.key(keys.analysis_pk(analysis_id), keys.ANALYSIS_SK),
            ConditionExpression="account_id = :account_id",
            ExpressionAttributeValues={":account_id": account_id},
        )
    except ClientError as error:
        if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise


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
