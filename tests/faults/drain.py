"""Wait until the background work a run started has finished, by polling what it left: no fixed sleep.

Background work today, each with what says it is done:

- asynchronous Lambda invocations (the account purge, the audit export worker): the emulator's
  count of those accepted and not finished (``local.emulator.queued_invocations``);
- the identity workflow's executions (moto runs the real ASL in threads and invokes our task
  functions): each one started since the run's mark has ended, or waits on a callback task
  (``TaskSubmitted`` last in its history) whose token nobody answered yet; an answered token means
  the execution is about to move on (moto applies the answer in its own thread);
- the follow-ups the outbox owes (emails, workflow starts and stops, removals, purges), carried out
  by the stream's event source mapping: every record written so far delivered (``Streams.idle``);
- emails: sent by the task functions and the dispatcher before they return, so done with them.

When more kinds of background work appear, add what says each is done to ``_busy``: every run of the
fault matrix goes through ``drain``.
"""

import functools
import json
import time
from typing import Any

import boto3

from local import emulator
from tests.faults.injection import background

# Generous: it only bounds a failure (a task retried with the workflow's backoff takes up to a minute).
TIMEOUT_SECONDS = 180.0
POLL_SECONDS = 0.02


class DrainTimeout(AssertionError):
    """Background work that never finished: reported as such, never waited for longer."""


def drain(since: int, timeout: float = TIMEOUT_SECONDS) -> None:
    """Return once everything started since the mark ``since`` (``background.mark()``) is done."""
    deadline = time.monotonic() + timeout
    while True:
        busy = _busy(since)
        if not busy:
            return
        if time.monotonic() >= deadline:
            raise DrainTimeout(f"background work not finished within {timeout:.0f}s: {', '.join(busy)}")
        time.sleep(POLL_SECONDS)


def _busy(since: int) -> list[str]:
    """What is still running. One look suffices: whatever background work starts more (a follow-up or
    an invocation starting or answering workflows, an answered task) records it before it ends, and the
    stream and the invocations are looked at first, so that one ending between the looks has recorded
    the executions it touched."""
    busy = []
    streams = emulator.process_emulator().streams
    if streams is not None and not streams.idle():
        busy.append("follow-ups owed in the stream")
    if queued := emulator.queued_invocations():
        busy.append(f"{queued} asynchronous invocation(s)")
    for arn in background.executions(since):
        if arn not in _ended and not _settled(arn):
            busy.append(arn.rsplit(":", 1)[-1])
    return busy


# Executions seen ended: they never run again, so they are not asked about again.
_ended: set[str] = set()
ENDED = ("ExecutionSucceeded", "ExecutionFailed", "ExecutionAborted", "ExecutionTimedOut")


@functools.cache
def _sfn() -> Any:
    return boto3.client("stepfunctions")


def _settled(execution_arn: str) -> bool:
    events = _sfn().get_execution_history(executionArn=execution_arn, maxResults=1000)["events"]
    last = events[-1]["type"] if events else None
    if last in ENDED:
        _ended.add(execution_arn)
        return True
    if last != "TaskSubmitted":
        return False  # moving on, or waiting to retry a failed task
    token = waiting_task_token(events)
    return token is not None and not background.answered(token)


def waiting_task_token(events: list[dict[str, Any]]) -> str | None:
    """The task token the execution's last scheduled task was handed (our ASL passes it in the payload)."""
    for event in reversed(events):
        if event["type"] == "TaskScheduled":
            parameters = json.loads(event["taskScheduledEventDetails"]["parameters"])
            token = parameters.get("Payload", {}).get("task_token")
            return str(token) if token else None
    return None
