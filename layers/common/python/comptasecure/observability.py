"""Logger and Metrics, configured once for every function (service name from the env).

Tracing is Lambda's active tracing (`Tracing: Active` in the template): the function's segments reach
X-Ray without an SDK in the code. Powertools' Tracer sits on the X-Ray SDK, in maintenance since
2026-02-25 and out of support from 2027-02-25, and its import cost about 160 ms of every cold start.
"""

import warnings

from aws_lambda_powertools import Logger, Metrics

# Most routes publish only the cold-start metric; an empty flush is expected, not worth a warning.
warnings.filterwarnings("ignore", "No application metrics to publish")

logger = Logger()
metrics = Metrics(namespace="ComptaSecure")
