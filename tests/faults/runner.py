"""The runs of the fault matrix, their classification, and the table.

For each scenario, a fault-free run counted: its n calls (on a warm function: a first run that paid
the cold start's reads of secrets and parameters is done again), and the control: the invariants
must hold without a fault, and what the run did (audit events, emails) is the reference the faulty
runs are compared to. Then for each k in 1..n and each mode, a point:

1. arrange afresh (a new account), act with the fault at call k, drain, check: the state right
   after the fault, before anyone retries;
2. the careful client retries as it always does after a 5xx (or a 409 ``request_in_progress``,
   once the function's timeout has passed: time moves on the injectable clock, nobody sleeps),
   with the same ``Idempotency-Key``; drain; check. It cannot see the state, so it retries even
   when the state was fine: a retry that breaks a consistent state counts;
3. from the same fault, afresh: the careless client's retry, without the key; drain; check.

A point is consistent when the state holds after the fault and after the retry (or when no retry
came), repaired by the retry when only the first check failed, and otherwise needs a person when
every failure left is visible to one (or the person's last answer was still a 5xx: they know to
act), silently inconsistent when not.
"""

import json
import os
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from comptasecure.settings import settings
from local import emulator, template
from local.server import LocalApi
from tests.faults import injection, invariants
from tests.faults.drain import DrainTimeout, drain
from tests.faults.injection import Mode, background
from tests.faults.invariants import Failure, Observed
from tests.faults.scenarios import Invocation, Request, Scenario
from tests.helpers import Client, FunctionDied

Outcome = Literal["consistent", "repaired", "person", "silent", "error"]
OUTCOMES: tuple[Outcome, ...] = ("consistent", "repaired", "person", "silent")
TITLES = {
    "consistent": "consistent",
    "repaired": "repaired by the retry",
    "person": "needs a person",
    "silent": "silently inconsistent",
    "error": "harness error",
}
# A careful client answered 409 request_in_progress waits for the first attempt's timeout, this often.
IN_PROGRESS_RETRIES = 3
IN_PROGRESS = ("request_in_progress", "event_in_progress")
# What a container reads once and caches (Powertools Parameters): a cold start's calls.
COLD_START_READS = ("secretsmanager.", "ssm.")


# A stream batch the function answered with failed records (ReportBatchItemFailures).
PARTIAL_BATCH = "batchItemFailures"


@dataclass(frozen=True)
class Answer:
    status: int
    code: str | None = None

    def __str__(self) -> str:
        return f"{self.status}{f' {self.code}' if self.code else ''}"


@dataclass
class Run:
    """One arrange, act (with or without a fault), drain and checks."""

    calls: list[str]
    hit: injection.Call | None
    answers: list[Answer]
    first: list[Failure] = field(default_factory=list)
    after: list[Failure] | None = None
    """The failures after the retry; None: no retry came."""
    notes: list[str] = field(default_factory=list)
    observed: Observed | None = None


@dataclass
class Variant:
    outcome: Outcome
    answers: list[str]
    failures: list[Failure]
    notes: list[str]


@dataclass
class Point:
    mode: Mode
    k: int
    call: str
    careful: Variant
    careless: Variant | None = None
    note: str | None = None
    recounted: bool = False
    """The function was counted again before this point (a cache had expired)."""


@dataclass
class ScenarioResult:
    name: str
    route: str
    function: str
    calls: list[str]
    points: list[Point] = field(default_factory=list)
    control: list[Failure] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0

    def count(self, outcome: Outcome, variant: str = "careful") -> int:
        return sum(1 for p in self.points if (v := getattr(p, variant)) is not None and v.outcome == outcome)


@dataclass
class Reference:
    calls: list[str]
    answer: Answer
    observed: Observed
    control: list[Failure]


class Matrix:
    """Runs scenarios' fault points against one local API (one emulator, this process)."""

    def __init__(self, api: LocalApi, *, careless: bool = True) -> None:
        # Before any scenario arranges anything: the drain waits only for the workflow executions the
        # wrapped calls saw start (the first scenario's arrangement started some before any act).
        injection.install()
        self.api = api
        self.careless = careless

    # ------------------------------------------------------------ one scenario
    def scenario(self, scenario: Scenario, ks: Callable[[int], list[int]] | None = None) -> ScenarioResult:
        """Every point of the scenario (``ks(n)``: which calls; all of them by default)."""
        started = time.monotonic()
        result = ScenarioResult(scenario.name, scenario.route, scenario.function, [])
        try:
            reference = self.reference(scenario)
            result.calls, result.control = reference.calls, reference.control
        except (AssertionError, DrainTimeout) as error:
            result.error = f"{type(error).__name__}: {error}"
            result.seconds = time.monotonic() - started
            return result
        for k in (ks or _every)(len(reference.calls)):
            for mode in injection.MODES:
                try:
                    point, reference = self.point(scenario, reference, k, mode)
                except (AssertionError, DrainTimeout) as error:
                    failure = Failure("harness", f"{type(error).__name__}: {error}")
                    name = reference.calls[k - 1]
                    point = Point(mode, k, name, Variant("error", [], [failure], []))
                result.points.append(point)
        result.seconds = time.monotonic() - started
        return result

    def reference(self, scenario: Scenario) -> Reference:
        """A fault-free run, counted: its calls, its control check, what it did. A function's first run in
        the process pays its cold start: it reads secrets and parameters that later runs find in the
        container's cache. Such a run is done again on the now warm function, so that k means the same
        call at every point (a cache that expires later on is caught by ``point``)."""
        run = self.run(scenario, None)
        if any(name.startswith(COLD_START_READS) for name in run.calls):
            run = self.run(scenario, None)
        assert run.answers[0].status < 400, f"{scenario.name}: the fault-free act answered {run.answers[0]}"
        assert run.observed is not None
        return Reference(run.calls, run.answers[0], run.observed, run.first)

    def point(self, scenario: Scenario, reference: Reference, k: int, mode: Mode) -> tuple[Point, Reference]:
        """Both variants of one fault point. If the calls before the fault were not the fault-free run's
        (a cache expired meanwhile), the function is warmed and counted again and the point run again."""
        recounted = None
        for attempt in range(2):
            careful = self.run(scenario, reference, mode=mode, k=k, retry="careful")
            if careful.calls[:k] == reference.calls[:k]:
                break
            recounted = f"its calls were not the fault-free run's: {careful.calls[:k]} vs {reference.calls[:k]}"
            if attempt == 0:
                reference = self.reference(scenario)  # a cached secret or parameter expired meanwhile
        else:
            recounted = f"unstable, kept: {recounted}"
        note = recounted if recounted and recounted.startswith("unstable") else None
        name = careful.hit.name if careful.hit else "?"
        point = Point(mode, k, name, _variant(careful, scenario), note=note, recounted=recounted is not None)
        if self.careless and scenario.careless_variant and _retries(scenario, careful.answers[0]):
            careless = self.run(scenario, reference, mode=mode, k=k, retry="careless", check_first=False)
            careless.first = careful.first  # the same fault, checked once
            point.careless = _variant(careless, scenario)
        return point, reference

    # ------------------------------------------------------------ one run
    def run(
        self,
        scenario: Scenario,
        reference: Reference | None,
        *,
        mode: Mode | None = None,
        k: int | None = None,
        retry: Literal["careful", "careless"] | None = None,
        check_first: bool = True,
    ) -> Run:
        with _environment(scenario.settings), injection.clock_that_can_move(held=scenario.holds_clock) as advance:
            mark = background.mark()
            ctx = scenario.arrange(Client(self.api))
            drain(mark)
            was = invariants.before(ctx)
            request = scenario.act(ctx)
            key = uuid.uuid4().hex
            with injection.injected(scenario.function, mode, k=k) as plan:
                answer = self.send(request, key)
            drain(mark)
            died_after = plan.hit if mode == "die" else None
            calls = plan.names + (reference.calls if reference else [])
            stripe_calls = any(name.startswith("stripe ") for name in calls)
            run = Run(plan.names, plan.hit, [answer])
            observed = reference.observed if reference else None
            if check_first:
                run.first, run.notes = invariants.check(
                    ctx,
                    scenario,
                    was,
                    observed,
                    since=mark,
                    careful=True,
                    died_after=died_after,
                    stripe_calls=stripe_calls,
                )
            if retry and _retries(scenario, answer):
                run.answers += self.retry(scenario, request, key if retry == "careful" else None, advance)
                drain(mark)
                run.after, notes = invariants.check(
                    ctx,
                    scenario,
                    was,
                    observed,
                    since=mark,
                    careful=retry == "careful",
                    died_after=died_after,
                    stripe_calls=stripe_calls,
                )
                run.notes += [note for note in notes if note not in run.notes]
            if reference is None:
                run.observed = invariants.observe(ctx, was)  # what a fault-free run does: the reference
            return run

    def retry(
        self, scenario: Scenario, request: Request | Invocation, key: str | None, advance: Callable[[float], None]
    ) -> list[Answer]:
        """The client's retry; a 409 "in progress" (the crashed first attempt's record) is tried again once
        the function's timeout has passed."""
        answers = [self.send(request, key)]
        while answers[-1].status == 409 and answers[-1].code in IN_PROGRESS and len(answers) <= IN_PROGRESS_RETRIES:
            advance(function_timeout(scenario.function) + 1)
            answers.append(self.send(request, key))
        return answers

    def send(self, request: Request | Invocation, key: str | None) -> Answer:
        if isinstance(request, Invocation):
            try:
                response = emulator.invoke(request.function, request.event)
            except FunctionDied:
                return Answer(500, "died")
            except Exception as error:
                return Answer(500, type(error).__name__)
            if isinstance(response, dict) and response.get("batchItemFailures"):
                return Answer(200, PARTIAL_BATCH)
            return Answer(200)
        headers = {**request.headers, **({"idempotency-key": key} if key else {})}
        reply = Client(self.api, request.token, headers).call(
            request.method, request.path, request.body, raw=request.raw, content_type=request.content_type
        )
        body = _json(reply.raw)
        code = body.get("error", {}).get("code") if isinstance(body.get("error"), dict) else body.get("message")
        return Answer(reply.status, code)


def _every(n: int) -> list[int]:
    return list(range(1, n + 1))


def first_and_last(n: int) -> list[int]:
    return sorted({1, n}) if n else []


def _retries(scenario: Scenario, answer: Answer) -> bool:
    """Whether this client retries after this answer."""
    if scenario.client == "scheduler":
        return True  # the next scheduled run comes whatever this one did
    if scenario.client == "person":
        return answer.status >= 500 or (answer.status == 409 and answer.code in IN_PROGRESS)
    # Stripe redelivers any non-2xx; Lambda reruns a failed invocation, and a stream's mapping delivers
    # a batch again from its first record the function reported failed.
    return answer.status >= 300 or answer.code == PARTIAL_BATCH


def _variant(run: Run, scenario: Scenario) -> Variant:
    answers = [str(answer) for answer in run.answers]
    left = run.first if run.after is None else run.after
    if not left:
        outcome: Outcome = "repaired" if run.first else "consistent"
    else:
        last = run.answers[-1]
        told = scenario.client == "person" and last.status >= 500
        outcome = "person" if told or all(failure.visible for failure in left) else "silent"
    return Variant(outcome, answers, left or run.first, run.notes)


def function_timeout(logical_id: str) -> int:
    sam = template.load()
    own = sam["Resources"][logical_id]["Properties"].get("Timeout")
    return int(own if own is not None else sam["Globals"]["Function"]["Timeout"])


def _json(raw: bytes) -> dict[str, Any]:
    try:
        value = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


@contextmanager
def _environment(variables: dict[str, str] | Any) -> Iterator[None]:
    """The scenario's settings, as the deployment's environment would give them, for the run only."""
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    settings.cache_clear()
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        settings.cache_clear()


# ---------------------------------------------------------------- the table
def table(results: list[ScenarioResult], *, careless: bool = True) -> str:
    width = max([len(r.name) for r in results] + [8])
    route_width = max([len(r.route) for r in results] + [5])
    head = f"{'scenario':<{width}}  {'route':<{route_width}}  calls points | consistent repaired person silent"
    lines = [head + (" | careless: repaired person silent" if careless else ""), "-" * len(head)]
    totals: Counter[str] = Counter()
    for r in results:
        counts: dict[str, int] = {o: r.count(o) for o in OUTCOMES}
        careless_counts = {o: r.count(o, "careless") for o in ("repaired", "person", "silent")}
        totals.update({"calls": len(r.calls), "points": len(r.points), **counts})
        totals.update({f"careless {o}": n for o, n in careless_counts.items()})
        line = (
            f"{r.name:<{width}}  {r.route:<{route_width}}  {len(r.calls):>5} {len(r.points):>6} | "
            f"{counts['consistent']:>10} {counts['repaired']:>8} {counts['person']:>6} {counts['silent']:>6}"
        )
        if careless:
            line += (
                f" |           {careless_counts['repaired']:>8} {careless_counts['person']:>6}"
                f" {careless_counts['silent']:>6}"
            )
        if r.error:
            line += f"   ERROR {r.error[:100]}"
        lines.append(line)
    lines.append("-" * len(head))
    total = (
        f"{'total':<{width}}  {'':<{route_width}}  {totals['calls']:>5} {totals['points']:>6} | "
        f"{totals['consistent']:>10} {totals['repaired']:>8} {totals['person']:>6} {totals['silent']:>6}"
    )
    if careless:
        total += (
            f" |           {totals['careless repaired']:>8} {totals['careless person']:>6}"
            f" {totals['careless silent']:>6}"
        )
    lines.append(total)
    errors = sum(r.count("error") for r in results) + sum(1 for r in results if r.error)
    if errors:
        lines.append(f"{errors} point(s) or scenario(s) ended in a harness error instead (listed below)")
    lines += ["", *details(results)]
    return "\n".join(lines)


def details(results: list[ScenarioResult]) -> list[str]:
    lines = []
    controls = [r for r in results if r.control]
    if controls:
        lines.append("Fault-free runs that already break an invariant (scenario or product bug):")
        for r in controls:
            lines += [f"  {r.name}: {f.invariant}: {f.reason}" for f in r.control]
        lines.append("")
    lines.append("Points not consistent (careful client unless said; answers: the act's, then the retries'):")
    for r in results:
        for p in r.points:
            shown = [("careful", p.careful)] + ([("careless", p.careless)] if p.careless else [])
            if all(v.outcome == "consistent" and not v.notes for _, v in shown) and not p.note:
                continue
            lines.append(f"  {r.name}  {p.mode} at {p.k}/{len(r.calls)} {p.call}")
            for label, v in shown:
                lines.append(f"    {label}: {TITLES[v.outcome]} (answers {' → '.join(v.answers)})")
                # A repaired point: what the retry repaired, in short; otherwise every failure left.
                shown_failures = v.failures[:1] if v.outcome == "repaired" else v.failures
                if v.outcome != "consistent":
                    lines += [
                        f"      - {f.invariant}: {f.reason}{' (visible)' if f.visible else ''}" for f in shown_failures
                    ]
                if len(shown_failures) < len(v.failures):
                    lines.append(f"      - and {len(v.failures) - len(shown_failures)} more")
                lines += [f"      note: {note}" for note in v.notes]
            if p.note:
                lines.append(f"    note: {p.note}")
    return lines


def denied_calls(log: Path) -> list[str]:
    """The calls local/iam.py refused during the run, from its log: ``function: action on resource``."""
    entries = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    return sorted({f"{e['denied']}: {e['action']} on {e['resource']}" for e in entries if "denied" in e})


def write_json(results: list[ScenarioResult], seconds: float, path: Path, denied: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {"seconds": round(seconds, 1), "denied_calls": denied, "scenarios": [asdict(r) for r in results]}
    path.write_text(json.dumps(document, indent=1, ensure_ascii=False, default=str))
