"""Local IAM: each function gets only what its template role grants, checked on the exact resource."""

import copy
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from local import emails, iam, template
from local.emulator import Emulator
from tests.helpers import Client, eventually, executions_of, signup, signup_confirmed, wait_until_ended


def access_denied(call: Any) -> ClientError:
    with iam.denials_expected(), pytest.raises(ClientError) as caught:
        call()
    assert caught.value.response["Error"]["Code"] in ("AccessDeniedException", "AccessDenied")
    return caught.value


@pytest.fixture
def without_policies(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Install the roles of an in-memory copy of template.yaml with one function's Policies removed."""

    def remove(logical_id: str) -> None:
        sam = copy.deepcopy(template.load())
        del sam["Resources"][logical_id]["Properties"]["Policies"]
        monkeypatch.setattr(iam.enforcer(), "roles", emulator.roles(sam))

    return remove


def test_get_account_fails_once_its_policies_are_removed(client: Client, without_policies: Any) -> None:
    _, session = signup_confirmed(client)
    owner = client.as_user(session["access_token"])
    assert owner.get("/account").status == 200

    without_policies("GetAccountFunction")

    with iam.denials_expected():
        reply = owner.get("/account")
    assert reply.status == 500
    assert reply.body["error"]["code"] == "internal_error"
    assert owner.get("/me").status == 200  # the other functions keep their roles


def test_the_workflow_fails_once_its_grant_to_invoke_a_task_is_removed(
    client: Client, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    sam = copy.deepcopy(template.load())
    policies = sam["Resources"]["IdentityWorkflow"]["Properties"]["Policies"]
    policies[:] = [p for p in policies if p["LambdaInvokePolicy"]["FunctionName"] != {"Ref": "SendCodeFunction"}]
    enforcer = iam.enforcer()
    monkeypatch.setattr(enforcer, "roles", emulator.roles(sam))
    # The denial happens in moto's execution thread, beyond the test's denials_expected(): this test's
    # provoked denial is kept out of the log that check_iam.py reads.
    record = enforcer.record
    monkeypatch.setattr(enforcer, "record", lambda entry: None if "denied" in entry else record(entry))

    email, reply = signup(client)
    assert reply.status == 201  # the route starts the workflow; the workflow's task is what is refused
    # The workflow starts from the signup's outbox, after the answer: polled, not assumed started.
    [execution] = eventually(lambda: executions_of(reply.body["user_id"]), "the workflow's start")
    ended = wait_until_ended(execution["executionArn"])
    assert ended["status"] == "FAILED"
    history = boto3.client("stepfunctions").get_execution_history(executionArn=execution["executionArn"])["events"]
    [failed] = [event["taskFailedEventDetails"] for event in history if event["type"] == "TaskFailed"]
    assert failed["error"] == "Lambda.AccessDeniedException"
    assert "IdentityWorkflow" in failed["cause"] and "lambda:InvokeFunction" in failed["cause"]
    assert emails.sent(email) == []  # the code's email task never ran


def test_a_call_on_a_resource_outside_the_grant_is_denied(emulator: Emulator) -> None:
    table = emulator.values["Table"]
    with iam.running_as("GetAccountFunction"):
        # Granted: a read of the table.
        boto3.client("dynamodb").get_item(TableName=table, Key={"PK": {"S": "x"}, "SK": {"S": "y"}})
        # Same service, an action the role lacks; then a secret the function has no right to.
        error = access_denied(
            lambda: boto3.client("dynamodb").put_item(TableName=table, Item={"PK": {"S": "x"}, "SK": {"S": "y"}})
        )
        assert "GetAccountFunction" in str(error) and "dynamodb:PutItem" in str(error)
        secrets = boto3.client("secretsmanager")
        access_denied(lambda: secrets.get_secret_value(SecretId=emulator.values["StripeApiKeySecret"]))
    with iam.running_as("PutBillingAddressFunction"):
        # Granted the Stripe key, not the signing secret: the resource decides, not the action.
        assert secrets.get_secret_value(SecretId=emulator.values["StripeApiKeySecret"])["SecretString"]
        access_denied(lambda: secrets.get_secret_value(SecretId=emulator.values["SigningSecret"]))


def test_a_transaction_needs_each_item_action_and_s3_answers_access_denied(emulator: Emulator) -> None:
    table = emulator.values["Table"]
    put = {"Put": {"TableName": table, "Item": {"PK": {"S": "iam"}, "SK": {"S": "tx"}}}}
    delete = {"Delete": {"TableName": table, "Key": {"PK": {"S": "iam"}, "SK": {"S": "other"}}}}
    with iam.running_as("UpdateCabinetFunction"):  # writes, never deletes
        access_denied(lambda: boto3.client("dynamodb").transact_write_items(TransactItems=[put, delete]))
    with iam.running_as("ListFecsFunction"):  # reads FEC records; only RegisterFecFunction signs uploads
        error = access_denied(
            lambda: boto3.client("s3").generate_presigned_url(
                "put_object", Params={"Bucket": emulator.values["FecBucket"], "Key": "accounts/a/f.txt"}
            )
        )
        assert error.response["Error"]["Code"] == "AccessDenied"


def test_threads_a_function_starts_run_with_its_role(emulator: Emulator) -> None:
    secret = emulator.values["SigningSecret"]
    outcomes: list[str] = []

    def read_secret() -> str:
        try:
            boto3.client("secretsmanager").get_secret_value(SecretId=secret)
        except ClientError as error:
            return str(error.response["Error"]["Code"])
        return "read"

    with iam.running_as("GetMeFunction"), iam.denials_expected():
        thread = threading.Thread(target=lambda: outcomes.append(read_secret()))
        thread.start()
        thread.join()
        with ThreadPoolExecutor(max_workers=1) as pool:
            outcomes.append(pool.submit(read_secret).result())
    assert outcomes == ["AccessDeniedException", "AccessDeniedException"]
    # A pool thread started as one function serves the next submitter as that submitter.
    with ThreadPoolExecutor(max_workers=1) as pool:
        with iam.running_as("GetMeFunction"), iam.denials_expected():
            assert pool.submit(read_secret).result() == "AccessDeniedException"
        with iam.running_as("LoginFunction"):
            assert pool.submit(read_secret).result() == "read"


def test_powertools_caches_are_per_function(emulator: Emulator) -> None:
    """A secret cached by one function's container is not another function's to read."""
    from comptasecure.secrets import signing_key

    with iam.running_as("LoginFunction"):
        assert signing_key()
    with iam.running_as("GetMeFunction"), iam.denials_expected(), pytest.raises(Exception, match="AccessDenied"):
        signing_key()


@pytest.mark.parametrize(
    ("pattern", "resource", "matches"),
    [
        ("arn:aws:dynamodb:eu-west-3:1:table/t", "arn:aws:dynamodb:eu-west-3:1:table/t", True),
        ("arn:aws:dynamodb:eu-west-3:1:table/t", "arn:aws:dynamodb:eu-west-3:1:table/t/index/i", False),
        ("arn:aws:dynamodb:eu-west-3:1:table/t/index/*", "arn:aws:dynamodb:eu-west-3:1:table/t/index/i", True),
        ("arn:aws:dynamodb:eu-west-3:1:table/t/index/*", "arn:aws:dynamodb:eu-west-3:1:table/t", False),
        ("arn:aws:s3:::b/*", "arn:aws:s3:::b/accounts/a/f.txt", True),
        ("arn:aws:s3:::b/*", "arn:aws:s3:::b", False),
        ("arn:aws:secretsmanager:*:*:secret:s-??????", "arn:aws:secretsmanager:r:1:secret:s-AbCdEf", True),
        ("arn:aws:secretsmanager:*:*:secret:s-??????", "arn:aws:secretsmanager:r:1:secret:s-AbCdE", False),
        ("arn:aws:ssm:r:1:parameter/a/B", "arn:aws:ssm:r:1:parameter/a/b", False),
    ],
)
def test_resources_match_as_iam_matches_them(pattern: str, resource: str, matches: bool) -> None:
    statement = iam.Statement("Allow", ("dynamodb:Get*",), ((pattern, pattern),))
    assert bool(statement.matching("DynamoDB:GetItem", resource)) is matches
    assert not statement.matching("dynamodb:Query", resource)


def test_each_request_names_the_resources_aws_authorises() -> None:
    account = iam.Account("r", "1", ("arn:aws:secretsmanager:r:1:secret:jwt-AbCdEf",), {"token": "arn:sm"})
    table = "arn:aws:dynamodb:r:1:table/t"
    transaction = {"TransactItems": [{"Put": {"TableName": "t"}}, {"ConditionCheck": {"TableName": "t"}}]}
    assert iam.required("dynamodb", "TransactWriteItems", transaction, account) == [
        ("dynamodb:PutItem", table),
        ("dynamodb:ConditionCheckItem", table),
    ]
    assert iam.required("dynamodb", "Query", {"TableName": "t", "IndexName": "ByExpiry"}, account) == [
        ("dynamodb:Query", f"{table}/index/ByExpiry")
    ]
    assert iam.required("secretsmanager", "GetSecretValue", {"SecretId": "jwt"}, account) == [
        ("secretsmanager:GetSecretValue", "arn:aws:secretsmanager:r:1:secret:jwt-AbCdEf")
    ]
    assert iam.required("ssm", "GetParameter", {"Name": "/a/b"}, account) == [
        ("ssm:GetParameter", "arn:aws:ssm:r:1:parameter/a/b")
    ]
    assert iam.required("states", "SendTaskSuccess", {"taskToken": "token"}, account) == [
        ("states:SendTaskSuccess", "arn:sm")
    ]
    sent = {"FromEmailAddress": "no-reply@x.fr", "ConfigurationSetName": "c"}
    assert iam.required("ses", "SendEmail", sent, account) == [
        ("ses:SendEmail", "arn:aws:ses:r:1:identity/no-reply@x.fr"),
        ("ses:SendEmail", "arn:aws:ses:r:1:configuration-set/c"),
    ]
    assert iam.required("s3", "HeadObject", {"Bucket": "b", "Key": "k"}, account) == [
        ("s3:GetObject", "arn:aws:s3:::b/k")
    ]
