"""Logger, Tracer and Metrics, configured once for every function (service name from the env)."""

import warnings

from aws_lambda_powertools import Logger, Metrics, Tracer

# Most routes publish only the cold-start metric; an empty flush is expected, not worth a warning.
warnings.filterwarnings("ignore", "No application metrics to publish")

logger = Logger()
tracer = Tracer()
metrics = Metrics(namespace="ComptaSecure")
