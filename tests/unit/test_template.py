"""The template's operability rules (scripts/check_template.py, run by `make template-check`): the template
keeps them, and each rule catches what it is there for, as a function or a queue someone adds would be."""

import copy
import json
import re
import tomllib
from functools import cache
from typing import Any

import pytest

from local import iam, template
from scripts import check_template as rules

Document = dict[str, Any]


@cache
def _translated() -> str:
    return json.dumps(iam.translate(template.load()))


@pytest.fixture
def cfn() -> Document:
    """The template as CloudFormation gets it (translated once), a copy each test may change."""
    document: Document = json.loads(_translated())
    return document


@pytest.fixture
def sam() -> Document:
    return copy.deepcopy(template.load())


def service(sam: Document) -> Any:
    return sam["Globals"]["Function"]["Environment"]["Variables"]["POWERTOOLS_SERVICE_NAME"]


def test_the_template_keeps_every_rule(sam: Document, cfn: Document) -> None:
    assert rules.operability_problems(sam, cfn) == []


def test_a_function_without_a_declared_log_group_with_retention_is_caught(cfn: Document) -> None:
    resources = cfn["Resources"]
    del resources["GetMeFunction"]["Properties"]["LoggingConfig"]
    del resources["FunctionLogs"]["Properties"]["RetentionInDays"]
    problems = rules.log_problems(resources)
    assert "GetMeFunction logs to no log group the template declares with a retention" in problems
    assert len(problems) == len(template.functions()), "every function's group has no retention now"


def test_a_state_machine_logging_its_execution_data_is_caught(cfn: Document) -> None:
    cfn["Resources"]["IdentityWorkflow"]["Properties"]["LoggingConfiguration"]["IncludeExecutionData"] = True
    assert rules.log_problems(cfn["Resources"]) == ["IdentityWorkflow logs its execution data (email addresses)"]


@pytest.mark.parametrize("worker", ["PurgeAccountFunction", "AuditExportWorkerFunction", "CleanupFunction"])
def test_an_asynchronous_function_without_a_failure_destination_is_caught(cfn: Document, worker: str) -> None:
    resources = cfn["Resources"]
    del resources[f"{worker}EventInvokeConfig"]
    assert any(
        p.startswith(f"{worker} (") and "no on-failure destination" in p
        for p in rules.asynchronous_path_problems(resources)
    )


def test_a_rule_or_schedule_without_a_dead_letter_queue_is_caught(cfn: Document) -> None:
    resources = cfn["Resources"]
    del resources["EmailFeedbackFunctionBouncesAndComplaints"]["Properties"]["Targets"][0]["DeadLetterConfig"]
    del resources["CleanupFunctionEvery15Minutes"]["Properties"]["Target"]["DeadLetterConfig"]
    problems = rules.asynchronous_path_problems(resources)
    assert any(p.startswith("EmailFeedbackFunctionBouncesAndComplaints delivers") for p in problems)
    assert any(p.startswith("CleanupFunctionEvery15Minutes delivers") for p in problems)


def test_a_stream_mapping_without_a_failure_destination_is_caught(cfn: Document) -> None:
    """A stream mapping (as the outbox's is) is held to the same rule."""
    resources = cfn["Resources"]
    resources["SearchStreamMapping"] = {
        "Type": "AWS::Lambda::EventSourceMapping",
        "Properties": {"FunctionName": {"Ref": "CleanupFunction"}, "EventSourceArn": "arn:stream"},
    }
    assert "SearchStreamMapping has no on-failure destination to a *DeadLetterQueue" in (
        rules.asynchronous_path_problems(resources)
    )
    resources["SearchDeadLetterQueue"] = {"Type": "AWS::SQS::Queue", "Properties": {}}
    resources["SearchStreamMapping"]["Properties"]["DestinationConfig"] = {
        "OnFailure": {"Destination": {"Fn::GetAtt": ["SearchDeadLetterQueue", "Arn"]}}
    }
    # The queue plugs in by its name: its alarm, its line on the dashboard and the replay are asked for.
    assert rules.asynchronous_path_problems(resources) == [
        "SearchDeadLetterQueue has no alarm SearchDeadLetterQueueAlarm on any message in it",
        "SearchDeadLetterQueue is not on the dashboard's dead-letter queues",
        "SearchDeadLetterQueue is not among the queues ReplayDeadLettersFunction reads (DEAD_LETTER_QUEUES)",
        "ReplayDeadLettersFunction may not read and delete the messages of SearchDeadLetterQueue",
    ]


def test_a_function_invoked_by_another_one_needs_a_failure_destination(cfn: Document) -> None:
    """A new worker handed work with workers.start is asynchronous: caught from the invoker's grant."""
    resources = cfn["Resources"]
    role = resources["GetMeFunctionRole"]["Properties"]["Policies"]
    role.append(
        {
            "PolicyName": "InvokeAWorker",
            "PolicyDocument": {
                "Statement": [
                    {"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": {"Ref": "GetCabinetFunction"}}
                ]
            },
        }
    )
    assert rules.asynchronous_path_problems(resources) == [
        "GetCabinetFunction (invoked by GetMeFunction) has no on-failure destination to a *DeadLetterQueue",
        "ReplayDeadLettersFunction may not run GetCabinetFunction again",
    ]


def test_a_keyed_route_whose_function_may_not_write_its_request_record_is_caught(cfn: Document) -> None:
    """Without UpdateItem the route works until a client sends an Idempotency-Key, then fails on AWS only."""
    resources = cfn["Resources"]
    statement = resources["CreateGroupFunctionRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"][0]
    statement["Action"].remove("dynamodb:UpdateItem")
    assert rules.idempotency_grant_problems(resources) == [
        "CreateGroupFunction: POST /groups takes an Idempotency-Key but may not UpdateItem its record on Table"
    ]


def test_a_dead_letter_queue_without_its_alarm_is_caught(cfn: Document) -> None:
    resources = cfn["Resources"]
    del resources["CleanupDeadLetterQueueAlarm"]
    assert rules.asynchronous_path_problems(resources) == [
        "CleanupDeadLetterQueue has no alarm CleanupDeadLetterQueueAlarm on any message in it"
    ]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            lambda r: r["ApiLatencyAlarm"]["Properties"].update(MetricName="Latencies"),
            "ApiLatencyAlarm: AWS/ApiGateway Latencies is no metric this check knows AWS publishes",
        ),
        (
            lambda r: r["IdentityWorkflowFailedAlarm"]["Properties"]["Dimensions"][0].update(
                Value={"Ref": "SendCodeFunction"}
            ),
            "IdentityWorkflowFailedAlarm: StateMachineArn names no AWS::StepFunctions::StateMachine of the template",
        ),
        (
            lambda r: r["StripeWebhookFailuresAlarm"]["Properties"].update(MetricName="StripeWebhookFailures"),
            "StripeWebhookFailuresAlarm: StripeWebhookFailures is no metric the code emits "
            "(comptasecure.observability.METRICS)",
        ),
        (
            lambda r: r["StripeSignatureRefusalsAlarm"]["Properties"]["Dimensions"].append(
                {"Name": "outcome", "Value": "refused"}
            ),
            "StripeSignatureRefusalsAlarm: StripeWebhookSignatureRefused is emitted with the dimensions "
            "['service'] of this service only",
        ),
        (
            lambda r: r["CleanupFailingAlarm"]["Properties"].update(AlarmActions=[]),
            "CleanupFailingAlarm does not notify AlarmTopic",
        ),
    ],
    ids=["unknown AWS metric", "wrong resource", "metric the code never emits", "wrong dimensions", "no topic"],
)
def test_an_alarm_naming_what_does_not_exist_is_caught(sam: Document, cfn: Document, change: Any, problem: str) -> None:
    change(cfn["Resources"])
    assert rules.alarm_problems(cfn["Resources"], service(sam)) == [problem]


def test_an_alarm_over_cloudwatchs_ten_metrics_is_caught(cfn: Document) -> None:
    resources = cfn["Resources"]
    metrics = resources["AuthFunctionErrorsAlarm"]["Properties"]["Metrics"]
    metrics.append({**metrics[-1], "Id": "m11"})
    assert "AuthFunctionErrorsAlarm watches 11 metrics: CloudWatch refuses more than 10" in rules.alarm_problems(
        resources, service(template.load())
    )


def test_a_new_function_outside_its_area_alarms_is_caught(sam: Document) -> None:
    sam["Resources"]["NewRouteFunction"] = {
        "Type": "AWS::Serverless::Function",
        "Properties": {"CodeUri": "functions/users/", "Handler": "new_route.handler"},
    }
    assert rules.area_alarm_problems(sam) == [
        "NewRouteFunction: Errors watched by no alarm, not by UsersFunctionErrorsAlarm alone",
        "NewRouteFunction: Throttles watched by no alarm, not by UsersFunctionThrottlesAlarm alone",
    ]


def test_asynchronous_workers_have_reserved_concurrency_and_public_auth_routes_their_throttles(sam: Document) -> None:
    resources = sam["Resources"]
    reserved = {
        name: resources[name]["Properties"]["ReservedConcurrentExecutions"]
        for name in ("PurgeAccountFunction", "AuditExportWorkerFunction", "CleanupFunction", "EmailFeedbackFunction")
    }
    assert reserved == {
        "PurgeAccountFunction": 2,
        "AuditExportWorkerFunction": 5,
        "CleanupFunction": 1,
        "EmailFeedbackFunction": 5,
    }
    routes = resources["HttpApi"]["Properties"]["RouteSettings"]
    assert set(routes) == {"POST /auth/login", "POST /auth/signup", "POST /auth/resend-code"}
    for route, limits in routes.items():
        assert limits["ThrottlingRateLimit"] <= 10, route
    paths = {f"{route.method} {route.path}" for route in template.routes() if route.public}
    assert set(routes) <= paths


def test_data_at_rest_is_protected(cfn: Document) -> None:
    resources = cfn["Resources"]
    assert resources["Table"]["Properties"]["DeletionProtectionEnabled"] is True
    [deny] = resources["FecBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert (deny["Effect"], deny["Condition"]) == ("Deny", {"Bool": {"aws:SecureTransport": "false"}})
    [selector] = resources["FecAccessTrail"]["Properties"]["AdvancedEventSelectors"]
    fields = {field["Field"]: field for field in selector["FieldSelectors"]}
    assert fields["resources.ARN"]["StartsWith"] == [{"Fn::Sub": "${FecBucket.Arn}/accounts/"}]
    assert "readOnly" not in fields, "reads and writes both recorded"


def test_every_environment_the_readme_deploys_is_in_samconfig_with_its_own_values() -> None:
    """Issue 20, item 12: `sam deploy --config-env dev` stopped on a missing stack name."""
    readme = (template.ROOT / "README.md").read_text()
    config = tomllib.loads((template.ROOT / "samconfig.toml").read_text())
    named = set(re.findall(r"--config-env (\w+)", readme))
    assert named >= {"dev", "staging", "prod"}
    parameters = {name: spec for name, spec in template.load()["Parameters"].items()}
    stacks, senders, origins = set(), set(), set()
    for environment in sorted(named):
        deploy = config[environment]["deploy"]["parameters"]
        assert config[environment]["global"]["parameters"]["region"] == "eu-west-3", environment
        overrides = dict(item.split("=", 1) for item in deploy["parameter_overrides"].split())
        assert overrides["Stage"] == environment
        assert set(overrides) <= set(parameters), environment
        stacks.add(deploy["stack_name"])
        senders.add(overrides["EmailSender"])
        origins.add(overrides["AppBaseUrl"])
    assert len(stacks) == len(senders) == len(origins) == len(named), "each environment has its own values"
