"""SAM -> CloudFormation with aws-sam-translator, then cfn-lint on the result; each function's environment
against the settings its handler declares it needs; and the rules that keep the stack operable, for the
functions and queues others add too (README "Operate"):

- every function and state machine logs to a log group the template declares, with a retention;
- every asynchronous path (a function invoked asynchronously, a rule's or a schedule's target, a stream's
  mapping) has a failure destination: a queue named *DeadLetterQueue, with its alarm <name>Alarm, its
  line on the dashboard, and its place in ReplayDeadLettersFunction (the queue to read, the target to run);
- every alarm names at most 10 metrics (CloudWatch's limit), each one that exists (AWS's, or one the
  code emits with these dimensions) of a resource the template declares, and notifies AlarmTopic;
- every function is in its area's errors and throttles alarms;
- every function behind a route that takes an Idempotency-Key may write its request record.

cfn-lint alone reads SAM loosely (a wrong runtime or a broken !Ref inside an environment
variable passes), so the template is translated first, as CloudFormation would.
"""

import ast
import json
import subprocess
import sys
from pathlib import Path
from typing import Any, get_args

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from comptasecure.http.idempotency import keyed
from comptasecure.observability import METRICS, NAMESPACE
from comptasecure.settings import FunctionSetting, Settings
from local import iam, template

Resources = dict[str, dict[str, Any]]
DEAD_LETTER_QUEUE = "DeadLetterQueue"
REPLAY = "ReplayDeadLettersFunction"
ALARM_TOPIC = "AlarmTopic"
# A metric math alarm names at most 10 metrics, a hard limit ("Limits that apply to alarms based on
# metric math expressions"): an area with more functions is split in two areas (functions/<area>/).
MAX_ALARM_METRICS = 10
DASHBOARD = "Dashboard"
# The AWS metrics the alarms may name, and the dimensions each namespace's are published with (AWS
# documentation: "Amazon API Gateway dimensions and metrics" for HTTP APIs, "Types of metrics for Lambda
# functions", "Available CloudWatch metrics for Amazon SQS", "Monitoring Step Functions metrics", "Monitor
# email sending using Amazon SES event publishing" and the reputation metrics, which are account-wide).
AWS_METRICS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "AWS/ApiGateway": (
        frozenset({"Count", "4xx", "5xx", "Latency", "IntegrationLatency", "DataProcessed"}),
        frozenset({"ApiId", "Stage"}),
    ),
    "AWS/Lambda": (
        frozenset({"Errors", "Throttles", "Invocations", "Duration", "ConcurrentExecutions"}),
        frozenset({"FunctionName"}),
    ),
    "AWS/SQS": (
        frozenset({"ApproximateNumberOfMessagesVisible", "ApproximateAgeOfOldestMessage", "NumberOfMessagesSent"}),
        frozenset({"QueueName"}),
    ),
    "AWS/States": (
        frozenset({"ExecutionsFailed", "ExecutionsTimedOut", "ExecutionsStarted", "ExecutionsSucceeded"}),
        frozenset({"StateMachineArn"}),
    ),
    "AWS/SES": (frozenset({"Reputation.BounceRate", "Reputation.ComplaintRate", "Send", "Bounce"}), frozenset()),
}
# What each dimension's value must point at: a resource of this type, by Ref or by this GetAtt attribute.
DIMENSION_VALUES = {
    "ApiId": ("AWS::ApiGatewayV2::Api", "Ref"),
    "FunctionName": ("AWS::Lambda::Function", "Ref"),
    "QueueName": ("AWS::SQS::Queue", "QueueName"),
    "StateMachineArn": ("AWS::StepFunctions::StateMachine", "Ref"),
}

BUILD = template.ROOT / "build"
SHARED_REQUIRED = {name.upper() for name, field in Settings.model_fields.items() if field.is_required()}
FUNCTION_SETTINGS = {name.upper() for name in get_args(FunctionSetting)}


def declared_settings(handler: Path) -> set[str]:
    """What the handler says it needs: ``lambda_handler(..., requires=(...))`` or ``require(...)``."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(handler.read_text())):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            continue
        if node.func.id == "require":
            names |= {str(arg.value) for arg in node.args if isinstance(arg, ast.Constant)}
        for keyword in node.keywords if node.func.id == "lambda_handler" else []:
            if keyword.arg == "requires" and isinstance(keyword.value, ast.Tuple | ast.List):
                names |= {str(item.value) for item in keyword.value.elts if isinstance(item, ast.Constant)}
    return {name.upper() for name in names}


def settings_problems() -> list[str]:
    """A setting a function checks at its cold start that the template does not give it, or one the
    template gives a function alone that its handler does not check (it would fail a request, not init)."""
    shared = set(template.load()["Globals"]["Function"]["Environment"]["Variables"])
    problems = [f"Globals lack {name}, which every function needs" for name in sorted(SHARED_REQUIRED - shared)]
    for function in template.functions().values():
        handler = template.ROOT / function.code_uri / f"{function.handler.rpartition('.')[0]}.py"
        declared, own = declared_settings(handler), set(function.environment)
        problems += [f"{function.logical_id} needs {name}, not in its environment" for name in declared - shared - own]
        undeclared = (own & FUNCTION_SETTINGS) - declared
        problems += [f"{function.logical_id} is given {name} but does not require it" for name in undeclared]
    return sorted(problems)


def _of_type(resources: Resources, kind: str) -> Resources:
    return {name: resource for name, resource in resources.items() if resource["Type"] == kind}


def _target(value: Any) -> tuple[str, str] | None:
    """(logical id, "Ref" or the attribute) of a Ref or GetAtt."""
    if isinstance(value, dict) and "Ref" in value:
        return str(value["Ref"]), "Ref"
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        name, attribute = value["Fn::GetAtt"]
        return str(name), str(attribute)
    return None


def _named(value: Any) -> str | None:
    found = _target(value)
    return found[0] if found else None


def _function(value: Any, resources: Resources) -> str | None:
    """The function a Ref/GetAtt names, directly or through its alias (functions are invoked as "live")."""
    name = _named(value)
    if resources.get(str(name), {}).get("Type") == "AWS::Lambda::Alias":
        return _named(resources[str(name)]["Properties"]["FunctionName"])
    return name


def log_problems(resources: Resources) -> list[str]:
    """Every function and state machine logs to a declared log group kept a declared number of days."""
    groups = {
        name
        for name, group in _of_type(resources, "AWS::Logs::LogGroup").items()
        if group.get("Properties", {}).get("RetentionInDays")
    }
    problems = []
    for name, function in _of_type(resources, "AWS::Lambda::Function").items():
        config = function["Properties"].get("LoggingConfig") or {}
        if _named(config.get("LogGroup")) not in groups:
            problems.append(f"{name} logs to no log group the template declares with a retention")
        elif config.get("LogFormat") != "JSON":
            problems.append(f"{name} does not log JSON")
    for name, machine in _of_type(resources, "AWS::StepFunctions::StateMachine").items():
        config = machine["Properties"].get("LoggingConfiguration") or {}
        destinations = [d.get("CloudWatchLogsLogGroup", {}).get("LogGroupArn") for d in config.get("Destinations", [])]
        if not any(_named(destination) in groups for destination in destinations):
            problems.append(f"{name} logs to no log group the template declares with a retention")
        if config.get("IncludeExecutionData") is not False:
            problems.append(f"{name} logs its execution data (email addresses)")
    return problems


def _queue(value: Any, resources: Resources) -> str | None:
    """The dead-letter queue an ARN names, if it is one (a *DeadLetterQueue queue of the template)."""
    found = _target(value)
    if not found or found[1] != "Arn" or not found[0].endswith(DEAD_LETTER_QUEUE):
        return None
    return found[0] if resources.get(found[0], {}).get("Type") == "AWS::SQS::Queue" else None


def asynchronous_functions(resources: Resources) -> dict[str, str]:
    """The functions invoked asynchronously, and by what: another function (a grant to invoke it: our
    functions hand work to a worker with comptasecure.workers.start, never synchronously; the replay's
    re-runs excepted), a rule, a schedule, or a service's permission to invoke it (S3, SNS, EventBridge)."""
    functions = _of_type(resources, "AWS::Lambda::Function")
    found: dict[str, str] = {}
    invokers = {_named(f["Properties"].get("Role")): name for name, f in functions.items() if name != REPLAY}
    for role_name, role in _of_type(resources, "AWS::IAM::Role").items():
        if role_name not in invokers:
            continue
        for policy in role["Properties"].get("Policies", []):
            for statement in iam._listed(policy["PolicyDocument"]["Statement"]):
                if "lambda:InvokeFunction" not in iam._listed(statement.get("Action", [])):
                    continue
                for resource in iam._listed(statement.get("Resource", [])):
                    for name in _functions_named(resource, resources):
                        found.setdefault(name, f"invoked by {invokers[role_name]}")
    for permission in _of_type(resources, "AWS::Lambda::Permission").values():
        if permission["Properties"].get("Principal") in (
            "events.amazonaws.com",
            "s3.amazonaws.com",
            "sns.amazonaws.com",
        ):
            function = _function(permission["Properties"].get("FunctionName"), resources)
            if function in functions:
                found.setdefault(function, f"invoked by {permission['Properties']['Principal']}")
    for name, schedule in _of_type(resources, "AWS::Scheduler::Schedule").items():
        function = _function(schedule["Properties"]["Target"]["Arn"], resources)
        if function in functions:
            found.setdefault(function, f"the target of {name}")
    return found


def _functions_named(resource: Any, resources: Resources) -> list[str]:
    """The functions a grant's resource names: a Ref/GetAtt (of the function or its alias), or SAM's Sub
    of a function name."""
    functions = _of_type(resources, "AWS::Lambda::Function")
    if isinstance(resource, dict) and "Fn::Sub" in resource and isinstance(resource["Fn::Sub"], list):
        return [n for n in (_function(v, resources) for v in resource["Fn::Sub"][1].values()) if n in functions]
    name = _function(resource, resources)
    return [name] if name in functions else []


def asynchronous_path_problems(resources: Resources) -> list[str]:
    """Each asynchronous path ends in a dead-letter queue; each dead-letter queue is alarmed, on the
    dashboard and replayed."""
    problems = []
    configs = {
        _named(config["Properties"]["FunctionName"]): config["Properties"]
        for config in _of_type(resources, "AWS::Lambda::EventInvokeConfig").values()
    }
    for function, why in sorted(asynchronous_functions(resources).items()):
        destination = (configs.get(function) or {}).get("DestinationConfig", {}).get("OnFailure", {})
        if _queue(destination.get("Destination"), resources) is None:
            problems.append(f"{function} ({why}) has no on-failure destination to a *{DEAD_LETTER_QUEUE}")
        if not _may_invoke(resources, REPLAY, function):
            problems.append(f"{REPLAY} may not run {function} again")
    for name, rule in _of_type(resources, "AWS::Events::Rule").items():
        for target in rule["Properties"].get("Targets", []):
            if _queue(target.get("DeadLetterConfig", {}).get("Arn"), resources) is None or "RetryPolicy" not in target:
                problems.append(f"{name} delivers to {_named(target['Arn'])} without a retry policy and a DLQ")
    for name, schedule in _of_type(resources, "AWS::Scheduler::Schedule").items():
        target = schedule["Properties"]["Target"]
        if _queue(target.get("DeadLetterConfig", {}).get("Arn"), resources) is None or "RetryPolicy" not in target:
            problems.append(f"{name} delivers without a retry policy and a DLQ")
    for name, mapping in _of_type(resources, "AWS::Lambda::EventSourceMapping").items():
        destination = mapping["Properties"].get("DestinationConfig", {}).get("OnFailure", {})
        if _queue(destination.get("Destination"), resources) is None:
            problems.append(f"{name} has no on-failure destination to a *{DEAD_LETTER_QUEUE}")
    return problems + [
        problem for queue in dead_letter_queues(resources) for problem in _queue_problems(queue, resources)
    ]


def dead_letter_queues(resources: Resources) -> list[str]:
    return sorted(name for name in _of_type(resources, "AWS::SQS::Queue") if name.endswith(DEAD_LETTER_QUEUE))


def _queue_problems(queue: str, resources: Resources) -> list[str]:
    problems = []
    alarm = resources.get(f"{queue}Alarm", {}).get("Properties", {})
    dimensions = alarm.get("Dimensions", [])
    if (
        alarm.get("MetricName") != "ApproximateNumberOfMessagesVisible"
        or [_target(d["Value"]) for d in dimensions] != [(queue, "QueueName")]
        or alarm.get("Threshold") != 1
        or alarm.get("ComparisonOperator") != "GreaterThanOrEqualToThreshold"
    ):
        problems.append(f"{queue} has no alarm {queue}Alarm on any message in it")
    body = json.dumps(resources.get(DASHBOARD, {}).get("Properties", {}).get("DashboardBody"))
    if f"${{{queue}.QueueName}}" not in body:
        problems.append(f"{queue} is not on the dashboard's dead-letter queues")
    replay = resources.get(REPLAY, {}).get("Properties", {})
    if (queue, "Ref") not in [_target(v) for v in json_values(replay.get("Environment", {}))]:
        problems.append(f"{queue} is not among the queues {REPLAY} reads (DEAD_LETTER_QUEUES)")
    if "sqs:DeleteMessage" not in _granted(resources, REPLAY, (queue, "Arn")):
        problems.append(f"{REPLAY} may not read and delete the messages of {queue}")
    return problems


def _may_invoke(resources: Resources, invoker: str, function: str) -> bool:
    """Whether the invoker's role grants lambda:InvokeFunction on the function (or its alias)."""
    role = _named(resources.get(invoker, {}).get("Properties", {}).get("Role"))
    for policy in resources.get(str(role), {}).get("Properties", {}).get("Policies", []):
        for statement in iam._listed(policy["PolicyDocument"]["Statement"]):
            if "lambda:InvokeFunction" not in iam._listed(statement.get("Action", [])):
                continue
            if any(function in _functions_named(value, resources) for value in iam._listed(statement["Resource"])):
                return True
    return False


def _granted(resources: Resources, function: str, resource: tuple[str, str]) -> set[str]:
    """The actions the function's role grants on a resource (a Ref/GetAtt of the template)."""
    role = _named(resources.get(function, {}).get("Properties", {}).get("Role"))
    actions: set[str] = set()
    for policy in resources.get(str(role), {}).get("Properties", {}).get("Policies", []):
        for statement in iam._listed(policy["PolicyDocument"]["Statement"]):
            if resource in [_target(value) for value in iam._listed(statement.get("Resource", []))]:
                actions.update(iam._listed(statement["Action"]))
    return actions


def json_values(value: Any) -> list[Any]:
    """Every Ref/GetAtt nested in a value."""
    if isinstance(value, dict):
        if _target(value):
            return [value]
        return [found for item in value.values() for found in json_values(item)]
    if isinstance(value, list):
        return [found for item in value for found in json_values(item)]
    return []


def _alarm_metrics(alarm: dict[str, Any]) -> list[dict[str, Any]]:
    """The metrics an alarm watches: its one metric, or those of its metric math."""
    properties = alarm["Properties"]
    if "MetricName" in properties:
        return [properties]
    return [query["MetricStat"]["Metric"] for query in properties.get("Metrics", []) if "MetricStat" in query]


def alarm_problems(resources: Resources, service: Any) -> list[str]:
    """Every alarm watches metrics that exist, of resources the template declares, and notifies the topic.
    ``service`` is the functions' POWERTOOLS_SERVICE_NAME, our metrics' service dimension."""
    problems = []
    for name, alarm in _of_type(resources, "AWS::CloudWatch::Alarm").items():
        if alarm["Properties"].get("AlarmActions") != [{"Ref": ALARM_TOPIC}]:
            problems.append(f"{name} does not notify {ALARM_TOPIC}")
        watched = [query for query in alarm["Properties"].get("Metrics", []) if "MetricStat" in query]
        if len(watched) > MAX_ALARM_METRICS:
            problems.append(f"{name} watches {len(watched)} metrics: CloudWatch refuses more than {MAX_ALARM_METRICS}")
        for metric in _alarm_metrics(alarm):
            problems += [f"{name}: {problem}" for problem in _metric_problems(metric, resources, service)]
    return problems


def _metric_problems(metric: dict[str, Any], resources: Resources, service: Any) -> list[str]:
    namespace, metric_name = metric.get("Namespace"), metric.get("MetricName")
    dimensions = {d["Name"]: d["Value"] for d in metric.get("Dimensions", [])}
    if namespace == NAMESPACE:
        if metric_name not in METRICS:
            return [f"{metric_name} is no metric the code emits (comptasecure.observability.METRICS)"]
        expected = {"service", *METRICS[metric_name]}
        if set(dimensions) != expected or dimensions["service"] != service:
            return [f"{metric_name} is emitted with the dimensions {sorted(expected)} of this service only"]
        return []
    if namespace not in AWS_METRICS or metric_name not in AWS_METRICS[str(namespace)][0]:
        return [f"{namespace} {metric_name} is no metric this check knows AWS publishes"]
    if set(dimensions) != AWS_METRICS[str(namespace)][1]:
        return [f"{namespace} {metric_name} is published with the dimensions {sorted(AWS_METRICS[str(namespace)][1])}"]
    problems = []
    for dimension, value in dimensions.items():
        kind, attribute = DIMENSION_VALUES.get(dimension, (None, None))
        if kind is None:
            continue
        found = _target(value)
        if found is None or resources.get(found[0], {}).get("Type") != kind or found[1] != attribute:
            problems.append(f"{dimension} names no {kind} of the template")
    return problems


def area_alarm_problems(sam: dict[str, Any]) -> list[str]:
    """Every function is in exactly one area alarm of errors and one of throttles: its area's
    (functions/<area>/); other alarms may watch it too."""
    problems = []
    alarms = {name: alarm for name, alarm in sam["Resources"].items() if alarm["Type"] == "AWS::CloudWatch::Alarm"}
    for name, function in sam["Resources"].items():
        if function["Type"] != "AWS::Serverless::Function":
            continue
        area = Path(function["Properties"]["CodeUri"]).name
        for kind in ("Errors", "Throttles"):
            expected = f"{area[0].upper()}{area[1:]}Function{kind}Alarm"
            watching = [
                alarm
                for alarm, resource in alarms.items()
                if alarm.endswith(f"Function{kind}Alarm")
                for metric in _alarm_metrics(resource)
                if metric.get("MetricName") == kind and {"Ref": name} in [d["Value"] for d in metric["Dimensions"]]
            ]
            if watching != [expected]:
                problems.append(f"{name}: {kind} watched by {watching or 'no alarm'}, not by {expected} alone")
    return problems


def idempotency_grant_problems(resources: Resources) -> list[str]:
    """A keyed route's record is claimed, completed and released with UpdateItem on the table (see
    store/request_records.py): without the grant, the route fails on AWS only when a key is sent."""
    problems = []
    for route in template.routes():
        key = f"{route.method} {route.path}"
        name = route.function.logical_id
        if keyed(key) and "dynamodb:UpdateItem" not in _granted(resources, name, ("Table", "Arn")):
            problems.append(f"{name}: {key} takes an Idempotency-Key but may not UpdateItem its record on Table")
    return problems


def operability_problems(sam: dict[str, Any], cloudformation: dict[str, Any]) -> list[str]:
    resources = cloudformation["Resources"]
    service = sam["Globals"]["Function"]["Environment"]["Variables"]["POWERTOOLS_SERVICE_NAME"]
    return (
        log_problems(resources)
        + asynchronous_path_problems(resources)
        + alarm_problems(resources, service)
        + area_alarm_problems(sam)
        + idempotency_grant_problems(resources)
    )


def main() -> int:
    sam = template.load()
    cloudformation = iam.translate(sam)
    problems = settings_problems() + operability_problems(sam, cloudformation)
    for problem in problems:
        print(f"template: {problem}", file=sys.stderr)
    BUILD.mkdir(exist_ok=True)
    output = BUILD / "template.cfn.json"
    output.write_text(json.dumps(cloudformation, indent=1, default=str))
    # The translator resolves parameter defaults inside the Subs it writes: W1020 is its artifact.
    command = [str(Path(sys.executable).parent / "cfn-lint"), str(output), "--format", "parseable"]
    result = subprocess.run([*command, "--regions", "eu-west-3", "--ignore-checks", "W1020"], check=False)  # noqa: S603
    if result.returncode == 0 and not problems:
        print(f"template: SAM translated and cfn-lint clean ({len(cloudformation['Resources'])} resources)")
        print("template: every function is given the settings its handler requires")
        print("template: logs, failure destinations, dead-letter queues and alarms complete")
        print("template: every route that takes an Idempotency-Key may write its request record")
    return result.returncode or int(bool(problems))


if __name__ == "__main__":
    sys.exit(main())
