"""A unit of work: the writes of one domain operation and its audit event, in one DynamoDB transaction.

Either the change and its audit event are both written, or neither is. A failed condition becomes
the domain error the caller named for it, so the domain never inspects ``ClientError`` itself.
"""

import random
import time
from typing import Any, Self

from botocore.exceptions import ClientError

from comptasecure import aws, idempotency
from comptasecure.errors import DomainError, RequestInProgress
from comptasecure.settings import settings
from comptasecure.store.conditions import ConditionFailed

DYNAMODB_MAX_ITEMS = 100
# Every transaction leaves one item for the request's idempotency record (comptasecure/idempotency.py),
# which a request sent with an Idempotency-Key completes in the same transaction as its change.
MAX_TRANSACTION_ITEMS = DYNAMODB_MAX_ITEMS - 1
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
        on_condition_failed: DomainError | None,
    ) -> Self:
        operation: dict[str, Any] = {"Key": key}
        _with_condition(operation, condition, values, names)
        return self._add("ConditionCheck", operation, on_condition_failed)

    def __len__(self) -> int:
        return len(self._items)

    def commit(self, answer: Any = idempotency.NOTHING) -> None:
        """Write every item, or none (a failed condition raises the error named for it).

        ``answer``: what the operation answers, kept with the change in the request's idempotency
        record (comptasecure/idempotency.py), so a retry of a request that died after this commit
        gets it back instead of committing twice.
        """
        error = self._transact(answer)
        if error is None:
            return
        reasons = error.response.get("CancellationReasons", [])
        for reason, domain_error in zip(reasons, self._errors, strict=False):
            if reason.get("Code") == "ConditionalCheckFailed" and domain_error is not None:
                raise domain_error from error
        if any(reason.get("Code") == "ConditionalCheckFailed" for reason in reasons):
            raise ConditionFailed() from error
        raise error

    def commit_or_failed(self) -> dict[int, dict[str, Any]]:
        """Commit, or say which items' conditions failed (position -> cancellation reason) without raising.

        For a batch of independent rows: the caller drops the rows that failed and tries the rest again.
        """
        error = self._transact(idempotency.NOTHING)
        if error is None:
            return {}
        reasons = error.response.get("CancellationReasons", [])
        failed = {i: dict(reason) for i, reason in enumerate(reasons) if reason.get("Code") == "ConditionalCheckFailed"}
        if not failed:
            raise error
        return failed

    def _transact(self, answer: Any) -> ClientError | None:
        """Write every item, or none: None when written, else the cancellation. In a request sent with
        an Idempotency-Key, the request's record is marked committed (with ``answer``) in the same write."""
        if not self._items:
            return None
        marker = idempotency.commit_marker(answer)
        items = self._items if marker is None else [*self._items, marker]
        if len(items) > DYNAMODB_MAX_ITEMS:
            raise ValueError(f"a transaction holds at most {DYNAMODB_MAX_ITEMS} items")
        attempt = 0
        while True:
            try:
                aws.dynamodb_client().transact_write_items(TransactItems=items)
                return None
            except ClientError as error:
                if error.response["Error"]["Code"] != "TransactionCanceledException":
                    raise
                reasons = error.response.get("CancellationReasons", [])
                taken_over = marker is not None and len(reasons) == len(items)
                if taken_over and reasons[-1].get("Code") == "ConditionalCheckFailed":
                    # Another attempt of the same request took it over: this one must change nothing.
                    raise RequestInProgress() from error
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
