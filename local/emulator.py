"""AWS on loopback: moto's server in this process, provisioned from template.yaml.

Moto executes the state machine's real ASL but cannot run Lambda code without Docker, so its
Lambda invoke is routed to our handlers, imported in-process: the workflow's tasks run our code.
"""

import copy
import functools
import json
import logging
import os
import re
import secrets
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import boto3
import botocore.loaders
import botocore.session
from moto.awslambda.models import LambdaBackend
from moto.core.common_models import BaseModel
from moto.core.exceptions import JsonRESTError
from moto.dynamodb import models as dynamodb_models
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import StreamShard, Table
from moto.dynamodb.responses import DynamoHandler
from moto.moto_server.werkzeug_app import DomainDispatcherApplication
from moto.secretsmanager.models import SecretsManagerBackend
from moto.server import ThreadedMotoServer
from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_dynamodb import (
    StateTaskServiceDynamoDB,
)
from moto.stepfunctions.parser.asl.utils import json_path

from local import async_paths, iam, streams, template
from local import stripe as local_stripe

REGION = iam.REGION
ACCOUNT = "123456789012"
STAGE = "local"
TABLE_NAME = "comptasecure-local"


@dataclass
class LambdaContext:
    """What the Lambda runtime hands a handler; Powertools reads these attributes."""

    function_name: str
    memory_limit_in_mb: int = 512
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    started: float = field(default_factory=time.monotonic)

    @property
    def invoked_function_arn(self) -> str:
        return function_arn(self.function_name)

    def get_remaining_time_in_millis(self) -> int:
        """The function's Timeout of the template, less what this invocation has run."""
        properties = template.load()["Resources"][self.function_name]["Properties"]
        timeout = properties.get("Timeout", template.load()["Globals"]["Function"]["Timeout"])
        return max(0, int((timeout - (time.monotonic() - self.started)) * 1000))


def function_arn(logical_id: str) -> str:
    return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{logical_id}"


def invoke(logical_id: str, event: dict[str, Any]) -> Any:
    """Run one of our functions in this process, as Lambda would: with its role's rights only, and in
    an execution environment serving no other request meanwhile.

    The import runs as the function too: a cold start's AWS calls are the function's.
    """
    iam.record_invocation(logical_id)
    with iam.running_as(logical_id), _environment(logical_id) as handler:
        return handler(event, LambdaContext(logical_id))


# Idle execution environments, by function: each handler object serves one request at a time (Powertools'
# resolver keeps the current request on its app object), as each Lambda environment does.
_idle: dict[str, list[Any]] = {}
_idle_lock = threading.Lock()


@contextmanager
def _environment(logical_id: str) -> Iterator[Any]:
    with _idle_lock:
        idle = _idle.setdefault(logical_id, [])
        handler = idle.pop() if idle else None
    if handler is None:
        handler = template.functions()[logical_id].new_container()  # a cold start
    try:
        yield handler
    finally:
        with _idle_lock:
            _idle[logical_id].append(handler)


def _remember_task_token(payload: dict[str, Any]) -> None:
    """A callback's token is authorised against its state machine: our ASL hands both to the task."""
    token, execution = payload.get("task_token"), payload.get("execution_arn")
    if token and execution:
        # arn:aws:states:<region>:<account>:execution:<state machine>:<execution>
        prefix, _, rest = str(execution).partition(":execution:")
        iam.enforcer().account.task_state_machines[token] = f"{prefix}:stateMachine:{rest.rsplit(':', 1)[0]}"


def _route_lambda_invocations_to_our_handlers() -> None:
    original = LambdaBackend.invoke

    def invoke_ours(
        self: LambdaBackend,
        function_name: str,
        qualifier: str | None,
        body: Any,
        headers: Any,
        response_headers: Any,
    ) -> Any:
        logical_id = _function_name(function_name)
        if logical_id not in template.functions():
            return original(self, function_name, qualifier, body, headers, response_headers)
        if logical_id in _refused:
            refused = JsonRESTError("TooManyRequestsException", "Rate Exceeded.")
            refused.code = 429
            raise refused
        payload = json.loads(body or "{}")
        _remember_task_token(payload)
        if {name.lower(): value for name, value in dict(headers or {}).items()}.get("x-amz-invocation-type") == "Event":
            # Lambda queues an asynchronous invocation and answers 202 at once: the caller never waits.
            invoked = function_name if function_name.startswith("arn:") else function_arn(function_name)
            _queued.add(1)
            threading.Thread(
                target=_invoke_in_background, args=(logical_id, invoked, payload), daemon=True, name=ASYNCHRONOUS
            ).start()
            return b""
        try:
            result = invoke(logical_id, payload)
        except Exception as error:
            response_headers["x-amz-function-error"] = "Unhandled"
            return json.dumps({"errorType": type(error).__name__, "errorMessage": str(error)}).encode()
        return json.dumps(result).encode()

    LambdaBackend.invoke = invoke_ours  # type: ignore[method-assign]


# The name of the threads that run asynchronous invocations.
ASYNCHRONOUS = "asynchronous invocation"


def _moto_knows_our_functions() -> None:
    """Secrets Manager's rotation looks the rotation function up in moto's Lambda before invoking it
    (which comes here); moto holds none of our functions, so the lookup answers that ours exist."""
    original = LambdaBackend.get_function

    def get_function(self: LambdaBackend, function_name_or_arn: str, qualifier: str | None = None) -> Any:
        logical_id = _function_name(function_name_or_arn)
        if logical_id in template.functions():
            return SimpleNamespace(function_name=logical_id, function_arn=function_arn(logical_id))
        return original(self, function_name_or_arn, qualifier)

    LambdaBackend.get_function = get_function  # type: ignore[method-assign]


def _rotate_again_after_a_finished_rotation() -> None:
    """A rotation ends with AWSPENDING on the version that became AWSCURRENT, which AWS documents as a
    finished rotation; moto takes that state for one still in progress and refuses the next rotation.
    The finished rotation's AWSPENDING label is dropped before the next one, as AWS treats it."""
    original = SecretsManagerBackend.rotate_secret

    def rotate_secret(self: SecretsManagerBackend, secret_id: str, *args: Any, **kwargs: Any) -> Any:
        if self._is_valid_identifier(secret_id):
            for version in self.secrets[secret_id].versions.values():
                if {"AWSPENDING", "AWSCURRENT"} <= set(version["version_stages"]):
                    version["version_stages"].remove("AWSPENDING")
        return original(self, secret_id, *args, **kwargs)

    SecretsManagerBackend.rotate_secret = rotate_secret  # type: ignore[method-assign]


def _function_name(name_or_arn: str) -> str:
    """A function's name from what Invoke accepts: its name, or its ARN with or without a qualifier."""
    if ":function:" in name_or_arn:
        return name_or_arn.partition(":function:")[2].split(":")[0]
    return name_or_arn.split(":")[0]


def _invoke_in_background(logical_id: str, invoked: str, event: dict[str, Any]) -> None:
    """Lambda's asynchronous invocation: retries, then the on-failure destination (local/async_paths.py).
    ``invoked`` is the ARN the caller named (the alias, or the function for $LATEST)."""
    try:
        async_paths.run(logical_id, event, invoke, _running[0].resolve, invoked)
    finally:
        _queued.add(-1)


# The process's emulator (one a process: its endpoint and MOTO_PORT are process-wide settings).
_running: list["Emulator"] = []


def process_emulator() -> "Emulator":
    """The emulator this process started."""
    return _running[0]


# Functions whose Invoke requests Lambda refuses for now (429): its invocation quota exceeded.
_refused: set[str] = set()


@contextmanager
def refusing_invocations(logical_id: str) -> Iterator[None]:
    """Lambda answers 429 TooManyRequestsException to every Invoke of the function meanwhile, as when its
    invocation-rate quota is exceeded: what the schedule or a rule then cannot deliver goes to its DLQ."""
    _refused.add(logical_id)
    try:
        yield
    finally:
        _refused.discard(logical_id)


class _Queued:
    """How many asynchronous invocations were accepted and have not finished: counted when Lambda
    accepts one (before its thread starts), so a caller that polls it never misses one in flight."""

    def __init__(self) -> None:
        self._count = 0
        self._lock = threading.Lock()

    def add(self, number: int) -> None:
        with self._lock:
            self._count += number

    @property
    def count(self) -> int:
        return self._count


_queued = _Queued()


def queued_invocations() -> int:
    """Asynchronous invocations accepted and not finished yet (tests/faults/drain.py waits for none)."""
    return _queued.count


_dynamodb_lock = threading.RLock()


def _isolate_dynamodb_requests() -> None:
    """One DynamoDB request at a time, for the isolation DynamoDB gives transactions.

    moto applies a transaction's items one by one and, when one fails, restores a copy of the whole
    table taken before: a concurrent request could read a cancelled transaction's writes, or have its
    own committed writes erased by that restore. Serialising requests removes this emulator artefact;
    which concurrent write wins is still decided by our condition expressions, as in DynamoDB.
    """
    original = DynamoHandler.call_action

    def isolated(self: DynamoHandler) -> Any:
        with _dynamodb_lock:
            return original(self)

    DynamoHandler.call_action = isolated  # type: ignore[method-assign]
    _roll_back_only_touched_items()


def _roll_back_only_touched_items() -> None:
    """Under the lock, a cancelled transaction puts back the items it touched, nothing more.

    moto's own rollback deep-copies the whole table before every transaction: each one cost more as
    the table grew (16 s a transaction with a few thousand items), which no DynamoDB does.
    """
    dynamodb_models.copy = SimpleNamespace(  # type: ignore[attr-defined,assignment]
        deepcopy=lambda value, memo=None: value if isinstance(value, Table) else copy.deepcopy(value, memo)
    )
    transact = DynamoDBBackend.transact_write_items

    def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
        touched = [_touched_item(self, item) for item in transact_items]
        # moto writes each item's stream record as it applies it: a cancelled transaction must leave
        # none (a DynamoDB stream only ever shows committed writes).
        streams = {
            id(table): (table.stream_shard, len(table.stream_shard.items))
            for table, *_ in touched
            if table.stream_shard
        }
        try:
            transact(self, transact_items)
        except BaseException:  # whatever stops moto half-way, its partial writes are undone, then it propagates
            for table, hash_key, range_key, previous in touched:
                _put_back(table, hash_key, range_key, previous)
            for shard, length in streams.values():
                del shard.items[length:]
            raise

    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]


TouchedItem = tuple[Table, DynamoType, DynamoType | None, Item | None]


def _touched_item(backend: DynamoDBBackend, transact_item: dict[str, Any]) -> TouchedItem:
    _, operation = next(iter(transact_item.items()))
    table = backend.get_table(operation["TableName"])
    key = operation.get("Key") or operation["Item"]
    hash_key = DynamoType(key[table.hash_key_attr])
    range_key = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
    return table, hash_key, range_key, copy.deepcopy(table.get_item(hash_key, range_key))


def _put_back(table: Table, hash_key: DynamoType, range_key: DynamoType | None, previous: Item | None) -> None:
    if range_key is None:
        if previous is None:
            table.items.pop(hash_key, None)
        else:
            table.items[hash_key] = previous  # type: ignore[assignment]
    elif previous is None:
        table.items[hash_key].pop(range_key, None)
    else:
        table.items[hash_key][range_key] = previous


def _stop_tracking_model_instances() -> None:
    """Let moto's objects be freed once moto itself drops them.

    moto appends every model instance it ever creates to a class-level list, for its dashboard
    (/moto-api/data.json), which the local run does not use. A DynamoDB transaction deep-copies the
    whole table for its rollback, so every transaction kept a full copy of the table alive: memory
    grew with transactions times table size (11.7 GB after 12,204 requests of an attack run).
    """

    def untracked(cls: type, *args: Any, **kwargs: Any) -> Any:
        return object.__new__(cls)

    BaseModel.__new__ = staticmethod(untracked)  # type: ignore[method-assign]


def _one_sdk_data_loader() -> None:
    """Every boto3 session in this process shares one botocore data loader, as one container would.

    Powertools opens a session per parameter provider, and the local run has a provider per function:
    each session's loader parsed the SDK's JSON models again (70 ms a client instead of 14 ms) and kept
    its own copy alive (800,000 OrderedDicts per test process). What a real cold start pays for its
    clients is measured by benchmarks/cold_start.py, in a process of its own.
    """
    botocore.session.create_loader = functools.cache(botocore.loaders.create_loader)


def _dispatch_without_rescanning_moto() -> None:
    """moto's server finds the backend for a request's host by listing its own package directory and
    trying every service's URL pattern, under one lock, on every request. The answer for a host never
    changes."""
    DomainDispatcherApplication.get_backend_for_host = functools.cache(  # type: ignore[method-assign]
        DomainDispatcherApplication.get_backend_for_host
    )


def _parse_each_json_path_once() -> None:
    """moto's Step Functions builds a JSONPath parser (PLY tables) for each path it evaluates, at every
    state of every execution; a parsed path is immutable, so each is parsed once."""
    module = vars(json_path)
    module["parse"] = functools.lru_cache(maxsize=1024)(module["parse"])


def _one_lambda_client_for_workflow_tasks() -> None:
    """moto's Step Functions creates a boto3 client for each Lambda task it runs (tens of milliseconds
    each), which the service does not. Those clients are all alike (fixed keys, no retries; the state's
    credentials are not used), and a botocore client is thread-safe: one per region serves them all."""
    module = vars(lambda_eval_utils)
    create = module["boto_client_for"]

    @functools.cache
    def shared_client(region: str, service: str) -> Any:
        return create(region=region, service=service)

    def boto_client_for(region: str, service: str, state_credentials: Any = None) -> Any:
        return shared_client(region, service)

    module["boto_client_for"] = boto_client_for


def _wake_stream_pollers_on_write() -> None:
    """moto appends a table's stream records but delivers them to no function it can run: the local
    event source mappings (local/streams.py) are woken by each record rather than polling a timer."""
    add = StreamShard.add

    def add_and_notify(self: StreamShard, old: Any, new: Any) -> None:
        add(self, old, new)
        streams.notify_written()

    StreamShard.add = add_and_notify  # type: ignore[method-assign]


def _hold_workflow_tasks_to_their_state_machines_role() -> None:
    """moto's Step Functions invokes a task's Lambda function, or calls DynamoDB for a task of its
    DynamoDB integration, with its own credentials, which moto accepts for anything: a state machine
    missing its ``lambda:InvokeFunction`` or ``dynamodb:UpdateItem`` grant would pass here and fail on
    AWS. Each task's call runs as its state machine (its logical id, the name it was created under), so
    local/iam.py checks it against the state machine's role as for a function."""
    module = vars(lambda_eval_utils)
    execute = module["execute_lambda_function_integration"]

    def state_machine_of(env: Any) -> str:
        return str(env.states.context_object.context_object_data["StateMachine"]["Name"])

    def execute_as_state_machine(env: Any, parameters: dict[str, Any], region: str, state_credentials: Any) -> None:
        with iam.running_as(state_machine_of(env)):
            execute(env, parameters, region, state_credentials)

    module["execute_lambda_function_integration"] = execute_as_state_machine
    call_dynamodb = StateTaskServiceDynamoDB._eval_service_task

    def call_dynamodb_as_state_machine(self: StateTaskServiceDynamoDB, env: Any, **arguments: Any) -> None:
        with iam.running_as(state_machine_of(env)):
            call_dynamodb(self, env, **arguments)

    StateTaskServiceDynamoDB._eval_service_task = call_dynamodb_as_state_machine  # type: ignore[method-assign, assignment]


@functools.cache
def _correct_moto() -> None:
    """Once per process, as each correction wraps what moto has (a process runs one emulator: its
    endpoint and MOTO_PORT are process-wide settings)."""
    _route_lambda_invocations_to_our_handlers()
    _hold_workflow_tasks_to_their_state_machines_role()
    _moto_knows_our_functions()
    _rotate_again_after_a_finished_rotation()
    _isolate_dynamodb_requests()
    _stop_tracking_model_instances()
    _one_sdk_data_loader()
    _dispatch_without_rescanning_moto()
    _parse_each_json_path_once()
    _one_lambda_client_for_workflow_tasks()
    _wake_stream_pollers_on_write()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Emulator:
    """Starts moto's server, points boto3 at it, and creates every resource the template declares."""

    def __init__(self, stripe: socket.socket | None = None):
        """``stripe``: where the Stripe emulator listens (the local run takes its port first), else a free port."""
        self.port = 0
        self._stripe_socket = stripe
        # Port 0: moto's server binds a free port itself (one found free beforehand could be taken
        # by then, and its start would wait forever for a server that failed to bind).
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self.values: dict[str, str] = {}
        self._lock = threading.Lock()
        self.stripe: local_stripe.LocalStripe | None = None
        self.streams: streams.Streams | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "Emulator":
        _correct_moto()
        _running[:] = [self]
        self.server.start()
        self.port = self.server.get_host_and_port()[1]
        os.environ.update(
            {
                "MOTO_PORT": str(self.port),
                "AWS_ENDPOINT_URL": self.endpoint,
                "AWS_ACCESS_KEY_ID": "testing",
                "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_DEFAULT_REGION": REGION,
                "AWS_REGION": REGION,
                "POWERTOOLS_METRICS_DISABLED": "true",
                "POWERTOOLS_SERVICE_NAME": "comptasecure-local",
            }
        )
        import urllib.request

        request = urllib.request.Request(  # noqa: S310 - our own loopback server
            f"{self.endpoint}/moto-api/config",
            data=json.dumps({"stepfunctions": {"execute_state_machine": True}}).encode(),
            method="POST",
        )
        urllib.request.urlopen(request).read()  # noqa: S310
        self.provision()
        iam.install(
            iam.Enforcer(self.roles(template.load()), self._iam_account(), iam.log_path()),
        )
        self.stripe = local_stripe.start(self, self._stripe_socket)
        self.streams = streams.Streams(self.values.__getitem__, invoke)
        return self

    def stop(self) -> None:
        if self.streams:
            self.streams.close()
        if self.stripe:
            self.stripe.stop()
        self.server.stop()

    # ------------------------------------------------------------ IAM
    def roles(self, sam: dict[str, Any]) -> iam.Roles:
        """Each function's role as the template ``sam`` declares it, with this run's resource names."""
        return iam.Roles(sam, self.resolve)

    def _iam_account(self) -> iam.Account:
        secrets = tuple(self.values[name] for name in template.resources("AWS::SecretsManager::Secret"))
        identities = tuple(self.values[name] for name in template.resources("AWS::SES::EmailIdentity"))
        # A new AWS account's SES is in the sandbox: IAM then also checks each recipient's identity.
        return iam.Account(REGION, ACCOUNT, secrets, {}, ses_identities=identities, ses_sandbox=True)

    # ------------------------------------------------------------ the schedule and the rules (local/async_paths.py)
    def fire_schedule(self, logical_id: str) -> bool:
        """What the Scheduler does at each tick of the function's schedule; whether Lambda took the event."""
        [target] = [t for t in async_paths.targets(self.resolve) if t.function == logical_id and t.pattern is None]
        event = {"source": "aws.scheduler", "detail-type": "Scheduled Event", "detail": {}}
        return async_paths.deliver(target, event, self.values[f"{logical_id}.Alias"])

    def publish(self, event: dict[str, Any]) -> list[str]:
        """An event on the default bus (SES's bounces): delivered to each rule it matches; their functions."""
        matched = [t for t in async_paths.targets(self.resolve) if t.pattern and async_paths.matches(t, event)]
        for target in matched:
            async_paths.deliver(target, event, self.values[f"{target.function}.Alias"])
        return [target.function for target in matched]

    # ------------------------------------------------------------ provisioning
    def provision(self) -> None:
        parameters = {
            name: os.environ.get(_env_name(name), LOCAL_DEFAULTS.get(name, str(spec.get("Default", ""))))
            for name, spec in template.load().get("Parameters", {}).items()
        }
        parameters["Stage"] = STAGE
        self.values.update(parameters)
        self.values.update({"AWS::Region": REGION, "AWS::AccountId": ACCOUNT, "AWS::Partition": "aws"})
        alias = template.load()["Globals"]["Function"]["AutoPublishAlias"]
        for logical_id in template.functions():
            self.values[f"{logical_id}.Arn"] = function_arn(logical_id)
            self.values[logical_id] = logical_id
            # `!Ref Function.Alias`, and the alias resource SAM names for it: the alias's ARN.
            self.values[f"{logical_id}.Alias"] = self.values[f"{logical_id}Alias{alias}"] = (
                f"{function_arn(logical_id)}:{alias}"
            )
        for logical_id, resource in template.resources("AWS::DynamoDB::Table").items():
            self._table(logical_id, resource["Properties"])
        for logical_id, resource in template.resources("AWS::S3::Bucket").items():
            self._bucket(logical_id, resource.get("Properties", {}))
        for logical_id, resource in template.resources("AWS::SQS::Queue").items():
            self._queue(logical_id, resource.get("Properties", {}))
        for logical_id in template.resources("AWS::SecretsManager::Secret"):
            self._secret(logical_id)
        for logical_id, resource in template.resources("AWS::SSM::Parameter").items():
            self._parameter(logical_id, resource["Properties"])
        for logical_id, resource in template.resources("AWS::Serverless::StateMachine").items():
            self._state_machine(logical_id, resource["Properties"])
        for logical_id in template.resources("AWS::KMS::Key"):
            self._key(logical_id)
        for logical_id in template.resources("AWS::SES::ConfigurationSet"):
            self._configuration_set(logical_id)
        for logical_id, resource in template.resources("AWS::SES::EmailIdentity").items():
            self._email_identity(logical_id, resource["Properties"])
        self._environment()

    def _table(self, logical_id: str, properties: dict[str, Any]) -> None:
        client = boto3.client("dynamodb")
        arguments: dict[str, Any] = {
            name: properties[name]
            for name in ("AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes", "BillingMode")
            if name in properties
        }
        stream = properties.get("StreamSpecification")
        if stream:
            arguments["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": stream["StreamViewType"]}
        client.create_table(TableName=TABLE_NAME, **arguments)
        ttl = properties.get("TimeToLiveSpecification")
        if ttl:
            client.update_time_to_live(TableName=TABLE_NAME, TimeToLiveSpecification=ttl)
        self.values[logical_id] = TABLE_NAME
        self.values[f"{logical_id}.Arn"] = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{TABLE_NAME}"
        # The stream's label is the table's creation time: the tests create the table again between
        # modules, so grants on the stream name any label of it (on AWS, the label of the stack's table).
        self.values[f"{logical_id}.StreamArn"] = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{TABLE_NAME}/stream/*"

    def reset_tables(self) -> None:
        """Empty every table (drop and create again from the template): a clean slate, in milliseconds.
        A table a test removed (to make a worker fail) is created again."""
        client = boto3.client("dynamodb")
        for logical_id, resource in template.resources("AWS::DynamoDB::Table").items():
            with suppress(client.exceptions.ResourceNotFoundException):
                client.delete_table(TableName=self.values[logical_id])
            self._table(logical_id, resource["Properties"])
        if self.streams:
            self.streams.reset()

    def empty_queues(self) -> None:
        """Empty every queue (dead-letter queues all): after reset_tables, what waits in them names items
        or stream records of tables gone."""
        sqs = boto3.client("sqs")
        for logical_id in template.resources("AWS::SQS::Queue"):
            url = self.values[logical_id]
            # Received and deleted rather than PurgeQueue, which SQS allows once a minute per queue.
            while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages"):
                for message in messages:
                    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])

    def restore_buckets(self) -> None:
        """Create again any bucket of the template that is gone (a test removed it to make a worker fail)."""
        existing = {bucket["Name"] for bucket in boto3.client("s3").list_buckets()["Buckets"]}
        for logical_id, resource in template.resources("AWS::S3::Bucket").items():
            if self.values[logical_id] not in existing:
                self._bucket(logical_id, resource.get("Properties", {}))

    def _bucket(self, logical_id: str, properties: dict[str, Any]) -> None:
        name = f"comptasecure-{STAGE}-{logical_id.lower()}"
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-3"})
        if "VersioningConfiguration" in properties:
            # Versioned as in AWS: deleting an object then leaves its versions, which a purge must remove.
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration=properties["VersioningConfiguration"])
        self.values[logical_id] = name
        self.values[f"{logical_id}.Arn"] = f"arn:aws:s3:::{name}"

    def _queue(self, logical_id: str, properties: dict[str, Any]) -> None:
        name = f"comptasecure-{STAGE}-{logical_id}"
        attributes = {
            key: str(properties[key]) for key in ("MessageRetentionPeriod", "VisibilityTimeout") if key in properties
        }
        url = boto3.client("sqs").create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        self.values[logical_id] = url  # Ref of a queue is its URL
        self.values[f"{logical_id}.QueueName"] = name
        self.values[f"{logical_id}.Arn"] = f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}"

    def _secret(self, logical_id: str) -> None:
        created = boto3.client("secretsmanager").create_secret(
            Name=f"comptasecure-{STAGE}-{logical_id}", SecretString=secrets.token_urlsafe(48)
        )
        self.values[logical_id] = created["ARN"]

    def _parameter(self, logical_id: str, properties: dict[str, Any]) -> None:
        name = self.resolve(properties["Name"])
        boto3.client("ssm").put_parameter(Name=name, Value=self.resolve(properties["Value"]), Type="String")
        self.values[logical_id] = name

    def _key(self, logical_id: str) -> None:
        key = boto3.client("kms").create_key(Description=logical_id)["KeyMetadata"]
        self.values[logical_id] = key["KeyId"]
        self.values[f"{logical_id}.Arn"] = key["Arn"]

    def _configuration_set(self, logical_id: str) -> None:
        name = f"comptasecure-{STAGE}-{logical_id.lower()}"
        boto3.client("sesv2").create_configuration_set(ConfigurationSetName=name)
        self.values[logical_id] = name

    def _email_identity(self, logical_id: str, properties: dict[str, Any]) -> None:
        identity = self.resolve(properties["EmailIdentity"])
        configuration_set = properties.get("ConfigurationSetAttributes", {}).get("ConfigurationSetName")
        if configuration_set:
            boto3.client("sesv2").create_email_identity(
                EmailIdentity=identity, ConfigurationSetName=self.resolve(configuration_set)
            )
        else:
            boto3.client("sesv2").create_email_identity(EmailIdentity=identity)
        self.values[logical_id] = identity

    def _state_machine(self, logical_id: str, properties: dict[str, Any]) -> None:
        definition = (template.ROOT / properties["DefinitionUri"]).read_text()
        for name, value in properties.get("DefinitionSubstitutions", {}).items():
            definition = definition.replace("${" + name + "}", self.resolve(value))
        created = boto3.client("stepfunctions").create_state_machine(
            name=logical_id, definition=definition, roleArn=f"arn:aws:iam::{ACCOUNT}:role/{logical_id}Role"
        )
        self.values[logical_id] = created["stateMachineArn"]
        self.values[f"{logical_id}.Name"] = logical_id

    def _environment(self) -> None:
        """One process serves every function: it gets the union of their variables."""
        variables = dict(template.load()["Globals"]["Function"]["Environment"]["Variables"])
        for function in template.functions().values():
            variables.update(function.environment)
        for name, value in variables.items():
            if name not in ("POWERTOOLS_SERVICE_NAME",):
                os.environ[name] = self.resolve(value)

    def resolve(self, value: Any) -> str:
        """The intrinsic functions the template and SAM's translation of it use: Ref, GetAtt, Sub, Join."""
        if isinstance(value, dict):
            if "Ref" in value:
                return self.values[value["Ref"]]
            if "Fn::GetAtt" in value:
                return self.values[".".join(value["Fn::GetAtt"])]
            if "Fn::Sub" in value:
                text, variables = value["Fn::Sub"] if isinstance(value["Fn::Sub"], list) else (value["Fn::Sub"], {})
                known = {**self.values, **{name: self.resolve(item) for name, item in variables.items()}}
                return re.sub(r"\$\{([^}!]+)\}", lambda match: known[match.group(1)], text)
            if "Fn::Join" in value:
                separator, items = value["Fn::Join"]
                return str(separator).join(self.resolve(item) for item in items)
            if "Fn::Select" in value:
                index, items = value["Fn::Select"]
                if isinstance(items, dict) and "Fn::Split" in items:
                    separator, text = items["Fn::Split"]
                    items = self.resolve(text).split(separator)
                return self.resolve(items[int(index)])
            raise ValueError(f"unsupported intrinsic {value}")
        return str(value)


# Where the local run differs from the template's defaults (API.md "Local run only"): the front end is a
# developer's dev server, so links in emails lead there and the WebAuthn relying party is localhost.
LOCAL_DEFAULTS = {"AppBaseUrl": "http://localhost:5173"}


def _env_name(parameter: str) -> str:
    """CodeValiditySeconds -> CODE_VALIDITY_SECONDS: the local run's overrides of template parameters."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", parameter).upper()
