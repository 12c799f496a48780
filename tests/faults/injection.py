"""Faults in one function's calls: its AWS calls (botocore) and its Stripe requests, counted in order.

Only the function under test is touched: a plan is a context variable set around the act, so it
reaches the threads the request starts (local/iam.py copies the context into every thread) and
nothing else, and a call counts only while ``local.iam.current_function()`` is the plan's
function. The authorizer, the workflow's tasks, asynchronous workers and the harness's own reads
run untouched, even at the same time.

Where the fault goes in, and why there:

- AWS: around ``BaseClient._make_api_call``, which is above botocore's retry loop (retries happen in
  the endpoint, below it). A ``fail`` is therefore what our code sees once botocore has spent its
  retries: the ``ClientError`` AWS answers for throttling (``ProvisionedThroughputExceededException``
  for DynamoDB, ``ThrottlingException`` for Step Functions, ``TooManyRequestsException`` for SES and
  Lambda, ``SlowDown`` for S3), or with ``FAIL_AS = "internal"`` a 500 ``InternalServerError``.
  Presigned URLs are signed locally, no request: they are not calls here.
- Stripe: around stripe-python's ``HTTPClient.request_with_retries``, the client layer, above its own
  ``max_network_retries`` loop (our client allows 2 retries, and stripe-python retries a 500). The
  fault is therefore the whole call failing, every attempt: Stripe down for the few seconds the call
  lasts. One failed attempt would be retried by stripe-python and never reach our code, which is not
  a fault worth a point. A ``fail`` is Stripe's answer to an unexpected error: 500, ``api_error``.
- ``die``: the call really happens and succeeds, then the function's process ends (timeout, out of
  memory, crash): ``FunctionDied``, a ``BaseException``, so that no ``except Exception`` of ours or
  of Powertools can catch it. The local API then answers what API Gateway answers for a crashed
  Lambda, 500 ``{"message": "Internal Server Error"}``. Once dead, the function makes no further call
  (a call in another of its threads dies before it is made).

Every call of every function also passes here to feed ``background``: the workflow executions
started and the task tokens answered, which ``tests.faults.drain`` waits on.
"""

import contextvars
import functools
import json
import re
import threading
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from botocore.client import BaseClient
from botocore.exceptions import ClientError

from local import iam
from tests.helpers import FunctionDied, keep_deaths_quiet

Mode = Literal["fail", "die"]
MODES: tuple[Mode, ...] = ("fail", "die")
# "throttling" (the default) or "internal": which error a failed AWS call raises.
FAIL_AS: list[Literal["throttling", "internal"]] = ["throttling"]

# What each service answers when it throttles: (error code, HTTP status).
THROTTLING = {
    "dynamodb": ("ProvisionedThroughputExceededException", 400),
    "states": ("ThrottlingException", 400),
    "ses": ("TooManyRequestsException", 429),
    "lambda": ("TooManyRequestsException", 429),
    "s3": ("SlowDown", 503),
    "ssm": ("ThrottlingException", 400),
    "secretsmanager": ("ThrottlingException", 400),
}


@dataclass(frozen=True)
class Call:
    """One call the function made: ``dynamodb.TransactWriteItems``, ``stripe POST /v1/customers``…"""

    name: str
    recipient: str | None = None
    """For an email sent (``ses.SendEmail``), to whom."""


@dataclass
class Plan:
    """The calls one act makes in its function, and the fault to inject at one of them.

    ``k`` (1-based) or ``name`` (the first call with that name) says which call; neither: only count.
    """

    function: str
    mode: Mode | None = None
    k: int | None = None
    name: str | None = None
    calls: list[Call] = field(default_factory=list)
    hit: Call | None = None
    """The call the fault was injected at, once it was."""
    dead: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def enter(self, call: Call) -> Mode | None:
        """Count a call about to be made; the fault to inject at it, if it is the one."""
        with self._lock:
            if self.dead:
                raise FunctionDied(f"{self.function} is dead: no {call.name}")
            self.calls.append(call)
            chosen = len(self.calls) == self.k if self.name is None else (call.name == self.name and not self.hit)
            if not chosen or self.mode is None:
                return None
            self.hit = call
            return self.mode

    def die(self) -> FunctionDied:
        with self._lock:
            self.dead = True
        return FunctionDied(f"{self.function} died after {self.hit.name if self.hit else 'a call'}")

    @property
    def names(self) -> list[str]:
        return [call.name for call in self.calls]


_plan: contextvars.ContextVar[Plan | None] = contextvars.ContextVar("fault_plan", default=None)


@contextmanager
def injected(
    function: str, mode: Mode | None = None, *, k: int | None = None, name: str | None = None
) -> Iterator[Plan]:
    """Run the block with ``function``'s calls counted and, with a mode, the fault at call ``k`` (or
    at the first call named ``name``)."""
    install()
    plan = Plan(function, mode, k, name)
    token = _plan.set(plan)
    try:
        yield plan
    finally:
        _plan.reset(token)


def _ours(plan: Plan | None) -> bool:
    return plan is not None and iam.current_function() == plan.function


# ---------------------------------------------------------------- background work, for the drain
class Background:
    """Workflow executions started and task tokens answered, by any function (what the drain waits on)."""

    def __init__(self) -> None:
        self._executions: list[str] = []
        self._answered: set[str] = set()
        self._lock = threading.Lock()

    def mark(self) -> int:
        """Where a run starts: the executions started from now on are the run's."""
        with self._lock:
            return len(self._executions)

    def executions(self, since: int) -> list[str]:
        with self._lock:
            return self._executions[since:]

    def answered(self, task_token: str) -> bool:
        with self._lock:
            return task_token in self._answered

    def saw(self, operation: str, params: dict[str, Any], result: Any) -> None:
        with self._lock:
            if operation == "StartExecution":
                self._executions.append(str(result["executionArn"]))
            elif operation in ("SendTaskSuccess", "SendTaskFailure"):
                self._answered.add(str(params["taskToken"]))


background = Background()


# ---------------------------------------------------------------- the two interception points
def _aws(original: Callable[..., Any]) -> Callable[..., Any]:
    def make_api_call(client: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        plan = _plan.get()
        fault = None
        if plan is not None and _ours(plan):
            service = client.meta.service_model.signing_name
            recipient = None
            if operation == "SendEmail":
                recipient = ",".join(params.get("Destination", {}).get("ToAddresses", [])).lower()
            fault = plan.enter(Call(f"{service}.{operation}", recipient))
            if fault == "fail":
                raise _failed(client, operation)
        try:
            result = original(client, operation, params)
        except Exception as error:
            if fault == "die" and plan is not None:
                raise plan.die() from error  # it dies after the call, whatever the call answered
            raise
        background.saw(operation, params, result)
        if fault == "die" and plan is not None:
            raise plan.die()
        return result

    return make_api_call


def _failed(client: BaseClient, operation: str) -> ClientError:
    """The error AWS answers, as botocore raises it (the modelled class when the service has one)."""
    service = client.meta.service_model.signing_name
    code, status = (
        ("InternalServerError", 500) if FAIL_AS[0] == "internal" else THROTTLING.get(service, ("Throttling", 400))
    )
    response: Any = {
        "Error": {"Code": code, "Message": f"Rate exceeded (fault injected at {service}.{operation})"},
        "ResponseMetadata": {"HTTPStatusCode": status, "MaxAttemptsReached": True},
    }
    error_class: Any = client.exceptions.from_code(code)
    error: ClientError = error_class(response, operation)
    return error


# An object id (cus_dEaKJgSDRt7Anl, pm_1QdT7sK2bHc9xYzA), not a resource name (tax_ids, payment_methods).
STRIPE_ID = re.compile(r"^[a-z]+_[a-z]*[A-Z0-9][A-Za-z0-9]*$")


def stripe_call_name(method: str, url: str) -> str:
    """``stripe POST /v1/customers/{id}/tax_ids``: the path with Stripe's object ids left out."""
    path = "/" + url.split("://", 1)[-1].split("/", 1)[-1].split("?", 1)[0]
    return f"stripe {method.upper()} " + "/".join("{id}" if STRIPE_ID.match(part) else part for part in path.split("/"))


def _stripe(original: Callable[..., Any]) -> Callable[..., Any]:
    def request_with_retries(
        self: Any, method: str, url: str, headers: Any, post_data: Any = None, *args: Any, **kwargs: Any
    ) -> Any:
        plan = _plan.get()
        if plan is None or not _ours(plan):
            return original(self, method, url, headers, post_data, *args, **kwargs)
        fault = plan.enter(Call(stripe_call_name(method, url)))
        if fault == "fail":
            return _stripe_api_error()
        response = original(self, method, url, headers, post_data, *args, **kwargs)
        if fault == "die":
            raise plan.die()
        return response

    return request_with_retries


def _stripe_api_error() -> tuple[str, int, Any]:
    """What Stripe answers for an error on its side (and stripe-python turns into ``stripe.APIError``)."""
    from requests.structures import CaseInsensitiveDict

    body = {"error": {"type": "api_error", "message": "An unknown error occurred (fault injected)."}}
    return json.dumps(body), 500, CaseInsensitiveDict({"Request-Id": "req_fault_injected"})


@functools.cache
def install() -> None:
    """Once per process: wrap botocore's and stripe-python's call points, and keep a function's death
    (a thread ending on ``FunctionDied``, as the crashed Lambda ends) out of the thread error reports."""
    from stripe._http_client import HTTPClient

    BaseClient._make_api_call = _aws(BaseClient._make_api_call)  # type: ignore[attr-defined]
    HTTPClient.request_with_retries = _stripe(HTTPClient.request_with_retries)  # type: ignore[method-assign]
    keep_deaths_quiet()


# ---------------------------------------------------------------- time passing, without sleeping
class _ShiftedDatetimeModule(types.ModuleType):
    """The ``datetime`` module whose ``datetime.now`` is shifted, for a library that reads real time."""

    def __init__(self, shifted: type[datetime]) -> None:
        super().__init__("datetime")
        self.datetime = shifted

    def __getattr__(self, name: str) -> Any:
        import datetime as real

        return getattr(real, name)


@contextmanager
def clock_that_can_move(*, held: bool = False) -> Iterator[Callable[[float], None]]:
    """Within the block, ``advance(seconds)`` moves time for the back end without sleeping: our clock
    (``comptasecure.clock``) and the one Powertools Idempotency reads for its "in progress" records
    (which a crashed invocation leaves until the function's timeout). Blocks may nest.

    ``held``: our clock stands still meanwhile (it moves only by ``advance``), for a run whose codes
    depend on the 30-second TOTP step: a step boundary crossed between two requests on a busy machine
    would otherwise make a code computed for one step arrive in the next."""
    from aws_lambda_powertools.utilities.idempotency import base
    from aws_lambda_powertools.utilities.idempotency.persistence import base as persistence
    from aws_lambda_powertools.utilities.idempotency.persistence import datarecord, dynamodb

    from comptasecure import clock

    offset = [timedelta()]
    real_now = clock.now
    modules: list[Any] = [base, persistence, datarecord, dynamodb]
    originals = [module.dt for module in modules]
    outer = originals[0].datetime

    class Shifted(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> Any:
            return outer.now(tz) + offset[0]

    start = real_now()

    def shifted() -> datetime:
        return (start if held else real_now()) + offset[0]

    def advance(seconds: float) -> None:
        offset[0] += timedelta(seconds=seconds)

    clock.now = shifted
    shim = _ShiftedDatetimeModule(Shifted)
    for module in modules:
        module.dt = shim
    try:
        yield advance
    finally:
        clock.now = real_now
        for module, original in zip(modules, originals, strict=True):
            module.dt = original


def utc_now() -> datetime:
    """The back end's now (a moved clock included)."""
    from comptasecure import clock

    return clock.now().astimezone(UTC)
