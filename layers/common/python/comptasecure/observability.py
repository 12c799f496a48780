"""Logger and Metrics, configured once for every function (service name from the env).

Tracing is Lambda's active tracing (`Tracing: Active` in the template): the function's segments reach
X-Ray without an SDK in the code. Powertools' Tracer sits on the X-Ray SDK, in maintenance since
2026-02-25 and out of support from 2027-02-25, and its import cost about 160 ms of every cold start.

Business metrics are CloudWatch embedded metric format (EMF) records in the function's log, one per
event (``count``): CloudWatch turns them into metrics, nothing is called at request time. Each metric
has a fixed set of dimensions (``METRICS``), the service (which names the stage) always among them, so
that an alarm or a dashboard names exactly what the code emits (tests/unit/test_template.py checks).
"""

import warnings
from typing import Literal

from aws_lambda_powertools import Logger, Metrics, single_metric
from aws_lambda_powertools.metrics import MetricUnit

# Most routes publish only the cold-start metric; an empty flush is expected, not worth a warning.
warnings.filterwarnings("ignore", "No application metrics to publish")

NAMESPACE = "ComptaSecure"
logger = Logger()
metrics = Metrics(namespace=NAMESPACE)

BusinessMetric = Literal[
    "SignUps",
    "SignupConfirmations",
    "Logins",
    "MfaChallenges",
    "InvitationsSent",
    "UsersDisabled",
    "StripeWebhookEvents",
    "StripeWebhookFailed",
    "StripeWebhookSignatureRefused",
    "StripeEventsNotApplied",
    "AccountPurges",
    "AuditExports",
]
# Each metric's dimensions besides the service: what ``count`` must be given.
METRICS: dict[BusinessMetric, tuple[str, ...]] = {
    "SignUps": (),
    "SignupConfirmations": (),
    "Logins": ("outcome",),  # ok, wrong_password, locked, mfa_required
    "MfaChallenges": ("outcome",),  # ok, wrong_code
    "InvitationsSent": (),
    # Emitted by the change that disables users (PATCH /users/{id} {active: false}), not on this branch yet.
    "UsersDisabled": (),
    "StripeWebhookEvents": ("event_type", "outcome"),  # applied, ignored, stale, failed
    "StripeWebhookFailed": (),
    "StripeWebhookSignatureRefused": (),
    # A signed event our rules refuse (a credit type the catalogue lacks): a payment may lack its credits.
    "StripeEventsNotApplied": (),
    "AccountPurges": (),
    "AuditExports": ("delivery",),  # inline (the route's answer), file (the worker's)
}


def count(metric: BusinessMetric, **dimensions: str) -> None:
    """One business event: an EMF record of its own, with the service and the metric's dimensions."""
    if set(dimensions) != set(METRICS[metric]):
        raise ValueError(f"{metric} takes the dimensions {METRICS[metric]}, not {tuple(dimensions)}")
    with single_metric(name=metric, unit=MetricUnit.Count, value=1, namespace=NAMESPACE) as record:
        for name, value in dimensions.items():
            record.add_dimension(name=name, value=value)
