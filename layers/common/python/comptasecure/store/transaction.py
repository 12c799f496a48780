"""A unit of work: the writes of one domain operation and its audit event, in one DynamoDB transaction.

Either the change and its audit event are both written, or neither is. A failed condition becomes
the domain error the caller named for it, so the domain never inspects ``ClientError`` itself.
"""

import random
import time
from typing import Any, Self

from botocore.exceptions import ClientError

from comptasecure import aws
from comptasecure.errors import DomainError
from comptasecure.settings import settings

MAX_TRANSACTION_ITEMS = 100
CONFLICT_ATTEMPTS = 4


class Transaction:
    def __init__(self) -> None:
        self._items: list[dict[str, Any]] = []
        self._errors: list[DomainError | None] = []

    def _add(self, kind: str, operation: dict[str, Any], on_condition_failed: DomainError | None) -> Self:
        operation["TableName"] = settings().table_name
        self._items.append({kind: operation})
        self._errors.append(on_condition_failed)
        return self

    def put(
        self,
        item: dict[str, Any],
        *,
        condition: str | None = None,
        values: dict[str, Any] | None = None,
        names: dict[str, str] | None = None,
        on_condition_failed: DomainError | None = None,
    ) -> Self:
        operation: dict[str, Any] = {"Item": item}
        _with_condition(operation, condition, values, names)
        return self._add("Put", operation, on_condition_failed)

    def update(
        self,
        key: dict[str, str],
        expression: str,
        *,
        condition: str | None = None,
        values: dict[str, Any] | None = None,
        names: dict[str, str] | None = None,
        on_condition_failed: DomainError | None = None,
        return_item_on_failure: bool = False,
    ) -> Self:
        """``return_item_on_failure``: a failed condition hands back the item as it was (commit_or_failed)."""
        operation: dict[str, Any] = {"Key": key, "UpdateExpression": expression}
        _with_condition(operation, condition, values, names)
        if return_item_on_failure:
            operation["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        return self._add("Update", operation, on_condition_failed)

    def delete(
        self,
        key: dict[str, str],
        *,
        condition: str | None = None,
        values: dict[str, Any] | None = None,
        names: dict[str, str] | None = None,
        on_condition_failed: DomainError | None = None,
    ) -> Self:
        operation: dict[str, Any] = {"Key": key}
        _with_condition(operation, condition, values, names)
        return self._add("Delete", operation, on_condition_failed)

    def check(
        self,
        key: dict[str, str],
        condition: str,
        *,
        values: dict[str, Any] | None = None,
        names: dict[str, str] | None = None,
        on_condition_failed: DomainError,
    ) -> Self:
        operation: dict[str, Any] = {"Key": key}
        _with_condition(operation, condition, values, names)
        return self._add("ConditionCheck", operation, on_condition_failed)

    def __len__(self) -> int:
        return len(self._items)

    def commit(self) -> None:
        error = self._transact()
        if error is None:
            return
        reasons = error.response.get("CancellationReasons", [])
        for reason, domain_error in zip(reasons, self._errors, strict=False):
            if reason.get("Code") == "ConditionalCheckFailed" and domain_error is not None:
                raise domain_error from error
        raise error

    def commit_or_failed(self) -> dict[int, dict[str, Any]]:
        """Commit, or say which items' conditions failed (position -> cancellation reason) without raising.

        For a batch of independent rows: the caller drops the rows that failed and tries the rest again.
        """
        error = self._transact()
        if error is None:
            return {}
        reasons = error.response.get("CancellationReasons", [])
        failed = {i: dict(reason) for i, reason in enumerate(reasons) if reason.get("Code") == "ConditionalCheckFailed"}
        if not failed:
            raise error
        return failed

    def _transact(self) -> ClientError | None:
        """Write every item, or none: None when written, else the cancellation."""
        if not self._items:
            return None
        if len(self._items) > MAX_TRANSACTION_ITEMS:
            raise ValueError(f"a transaction holds at most {MAX_TRANSACTION_ITEMS} items")
        attempt = 0
        while True:
            try:
                aws.dynamodb_client().transact_write_items(TransactItems=self._items)
                return None
            except ClientError as error:
                if error.response["Error"]["Code"] != "TransactionCanceledException":
                    raise
                reasons = error.response.get("CancellationReasons", [])
                # Another transaction held one of our items (two invitations updating the account's
                # user count at once): nothing was written, so trying again is safe and conditions
                # are evaluated afresh.
                conflicted = any(reason.get("Code") == "TransactionConflict" for reason in reasons)
                failed = any(reason.get("Code") == "ConditionalCheckFailed" for reason in reasons)
                if failed or not conflicted or attempt == CONFLICT_ATTEMPTS - 1:
                    return error
            time.sleep(random.uniform(0, 0.05 * 2**attempt))
            attempt += 1


def _with_condition(
    operation: dict[str, Any],
    condition: str | None,
    values: dict[str, Any] | None,
    names: dict[str, str] | None,
) -> None:
    if condition:
        operation["ConditionExpression"] = condition
    if values:
        operation["ExpressionAttributeValues"] = values
    if names:
        operation["ExpressionAttributeNames"] = names
