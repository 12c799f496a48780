"""The identity workflow (Step Functions): start it, and answer the task waiting for a user."""

import json
import uuid
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
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


def start(step: Step, *, account_id: str, user_id: str, purpose: str, invitation: dict[str, Any] | None = None) -> str:
    """Start at the invitation step (password not chosen yet) or straight at the code step.

    ``invitation``: what the invitation email says (address, names), so its task reads nothing.
    """
    config = settings()
    execution = aws.sfn().start_execution(
        stateMachineArn=config.state_machine_arn,
        name=f"{purpose}-{user_id}-{uuid.uuid4().hex[:12]}",
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
    return execution["executionArn"]


def start_invitations(account_id: str, purpose: str, invitations: Sequence[tuple[str, dict[str, Any]]]) -> None:
    """One invitation workflow per (user id, email content), started concurrently: a batch of 1,000
    answers in seconds, not in 1,000 sequential round trips."""
    aws.sfn()  # the client is created once, before the threads share it
    with ThreadPoolExecutor(max_workers=STARTS_AT_ONCE) as pool:
        started = pool.map(
            lambda invitation: start(
                "invitation", account_id=account_id, user_id=invitation[0], purpose=purpose, invitation=invitation[1]
            ),
            invitations,
        )
        list(started)  # raise the first failure, if any


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
