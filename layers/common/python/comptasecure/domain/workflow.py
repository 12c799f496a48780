"""The identity workflow (Step Functions): start it, and answer the task waiting for a user."""

import json
from typing import Any, Literal

from botocore.exceptions import ClientError

from comptasecure import aws
from comptasecure.observability import logger
from comptasecure.settings import settings

Step = Literal["invitation", "code"]
# What Step Functions answers for a task that is no longer waiting: it timed out, its execution
# ended (replaced, expired, stopped) or, for a token of an execution that has ended, that the token
# is unknown. Any other error (throttling, permissions) is a real failure and propagates.
TASK_ENDED = frozenset({"TaskTimedOut", "TaskDoesNotExist", "InvalidToken"})

# botocore keeps 10 connections per client: more threads would only wait for one.
STARTS_AT_ONCE = 10


def execution_name(purpose: str, user_id: str, outbox_id: str) -> str:
    """The name of the execution a follow-up starts: the same on every run of that follow-up."""
    return f"{purpose}-{user_id}-{outbox_id[-12:]}"


def start(
    step: Step,
    *,
    account_id: str,
    user_id: str,
    purpose: str,
    name: str,
    invitation: dict[str, Any] | None = None,
) -> None:
    """Start at the invitation step (password not chosen yet) or straight at the code step.

    ``name`` makes the start idempotent: Step Functions answers a start of a running execution of the
    same name and input with that execution, and refuses one that already ended (it ran: nothing to do).
    ``invitation``: what the invitation email says (address, names), so its task reads nothing.
    """
    config = settings()
    try:
        aws.sfn().start_execution(
            stateMachineArn=config.state_machine_arn,
            name=name,
            input=json.dumps(
                {
                    "step": step,
                    "account_id": account_id,
                    "user_id": user_id,
                    "purpose": purpose,
                    "invitation_validity_seconds": config.invitation_validity_seconds,
                    "code_validity_seconds": config.code_validity_seconds,
                    **({"invitation": invitation} if invitation is not None else {}),
                }
            ),
        )
    except ClientError as error:
        if error.response["Error"]["Code"] != "ExecutionAlreadyExists":
            raise


def resume(task_token: str, output: dict[str, Any]) -> None:
    """Tell the waiting task that the user did what it waited for."""
    try:
        aws.sfn().send_task_success(taskToken=task_token, output=json.dumps(output))
    except ClientError as error:
        # The execution already ended (expired, replaced): the user's change stands on its own.
        _unless_task_ended(error)
        logger.warning("workflow task no longer waiting", extra={"error": error.response["Error"]["Code"]})


def withdraw(task_token: str | None, reason: Literal["Superseded", "Cancelled"]) -> None:
    """End a wait the back end no longer needs: a newer code or link was sent, or the user was removed."""
    if not task_token:
        return
    try:
        aws.sfn().send_task_failure(taskToken=task_token, error=reason)
    except ClientError as error:
        _unless_task_ended(error)
        logger.info("workflow task no longer waiting", extra={"error": error.response["Error"]["Code"]})


def _unless_task_ended(error: ClientError) -> None:
    if error.response["Error"]["Code"] not in TASK_ENDED:
        raise error
