"""Support operations against the local run (SPEC R-ACC-5), invoked as support would: through Lambda.

The functions have no HTTP route; in AWS support invokes them with IAM credentials. Locally they are
invoked through the Lambda endpoint of the local run's AWS emulation, which runs our handler:

    python -m local.support --endpoint http://127.0.0.1:<port> \\
        set-account-type <account_id> expert_comptable --reason "Contrat signé (ticket SUP-1042)"
    python -m local.support --endpoint http://127.0.0.1:<port> \\
        grant-credits <account_id> analyse_fec 10 --reason "Contrat support 2026"
    python -m local.support --endpoint http://127.0.0.1:<port> \\
        consume-credits <account_id> analyse_fec 1 --analysis-id an_2026_0001

    python -m local.support --endpoint http://127.0.0.1:<port> replay-dead-letters

consume-credits is what the analysis service does (R-BIL-3); it exits 1 when the consumption is refused.
A wrong type names the types of the catalogue; an endpoint that does not answer as Lambda (the API's
port, nothing listening) is one line on stderr and exit code 2. replay-dead-letters re-runs what
reached the dead-letter queues (README "Operate"); it exits 1 when a re-run failed again or a message
is of no known kind (those stay in their queue).

The endpoint is the one `make run` prints ("AWS emulated by moto on ...").
"""

import argparse
import json
import sys
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError

from local.emulator import REGION


def invoke(endpoint: str, function: str, payload: dict[str, Any]) -> tuple[bool, Any]:
    """Invoke one function synchronously; (succeeded, its result or error)."""
    client = boto3.client(
        "lambda",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        # A replay waits for each re-run, up to a worker's 15 minutes; an invoke is never retried.
        config=Config(read_timeout=900, retries={"total_max_attempts": 1}),
    )
    response = client.invoke(FunctionName=function, Payload=json.dumps(payload).encode())
    return "FunctionError" not in response, json.loads(response["Payload"].read() or b"null")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local.support", description="ComptaSecure support operations")
    parser.add_argument("--endpoint", required=True, help="the AWS emulation's URL printed by `make run`")
    commands = parser.add_subparsers(dest="command", required=True)
    set_type = commands.add_parser("set-account-type", help="give an account a type of the catalogue")
    set_type.add_argument("account_id")
    set_type.add_argument("type_id", help="e.g. expert_comptable or entreprise (GET /account-types)")
    set_type.add_argument("--reason", required=True, help="why, for the account's audit trail")
    grant = commands.add_parser("grant-credits", help="grant credits of a type to an account")
    grant.add_argument("account_id")
    grant.add_argument("credit_type", help="analyse_fec or ecf in the default catalogue (GET /billing/credits)")
    grant.add_argument("amount", type=int)
    grant.add_argument("--reason", required=True, help="why, for the account's history and audit trail")
    consume = commands.add_parser("consume-credits", help="consume credits for one analysis, as the analysis service")
    consume.add_argument("account_id")
    consume.add_argument("credit_type", help="e.g. analyse_fec")
    consume.add_argument("amount", type=int)
    consume.add_argument("--analysis-id", required=True, help="the analysis paid for; a retry consumes nothing more")
    commands.add_parser("replay-dead-letters", help="re-run what reached the dead-letter queues (cause gone)")
    arguments = parser.parse_args(argv)

    function, payload = request_of(arguments)
    try:
        succeeded, result = invoke(arguments.endpoint, function, payload)
    except (BotoCoreError, ClientError, ValueError) as error:
        # Most often the API's URL given for the AWS emulation's: one line that says so, no traceback.
        print(
            f"error: {arguments.endpoint} does not answer as Lambda ({_why(error)}); --endpoint takes the "
            '"AWS emulated by moto on …" URL that `make run` prints, not the API\'s.',
            file=sys.stderr,
        )
        return 2
    # A refused consumption, or a dead letter kept, is a result, not a Lambda error: the command still fails.
    succeeded = succeeded and not (isinstance(result, dict) and result.get("status") == "refused")
    if arguments.command == "replay-dead-letters":
        succeeded = succeeded and not any(queue["failed"] or queue["unknown"] for queue in result.values())
    print(json.dumps(result, ensure_ascii=False), file=sys.stdout if succeeded else sys.stderr)
    return 0 if succeeded else 1


def _why(error: Exception) -> str:
    if isinstance(error, ClientError):
        return f"HTTP {error.response.get('ResponseMetadata', {}).get('HTTPStatusCode')} to Lambda's Invoke"
    if isinstance(error, EndpointConnectionError):
        return "nothing listens there"
    return str(error)


def request_of(arguments: argparse.Namespace) -> tuple[str, dict[str, Any]]:
    """The function a command invokes and its input."""
    if arguments.command == "set-account-type":
        return "SetAccountTypeFunction", {
            "account_id": arguments.account_id,
            "type_id": arguments.type_id,
            "reason": arguments.reason,
        }
    if arguments.command == "replay-dead-letters":
        return "ReplayDeadLettersFunction", {}
    if arguments.command == "grant-credits":
        return "GrantCreditsFunction", {
            "account_id": arguments.account_id,
            "type": arguments.credit_type,
            "amount": arguments.amount,
            "reason": arguments.reason,
        }
    return "ConsumeCreditsFunction", {
        "account_id": arguments.account_id,
        "credit_type": arguments.credit_type,
        "amount": arguments.amount,
        "analysis_id": arguments.analysis_id,
    }


if __name__ == "__main__":
    sys.exit(main())
