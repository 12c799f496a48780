"""IAM as AWS enforces it, locally: each function may only make the calls its role allows.

One process runs every function, with one set of credentials that moto accepts for anything. So the
role each function would have on AWS is rebuilt from template.yaml (translated by aws-sam-translator,
which expands SAM policy templates into the statements CloudFormation gets), its intrinsics resolved
to the emulator's concrete names, and every botocore call made while a function runs is checked
against it: the IAM action and the exact resource ARN(s) the request touches, with IAM's wildcards.
A call the role does not allow fails with the AccessDenied error AWS answers.

The running function is a context variable set by ``emulator.invoke``; threads a function starts
inherit it, so a handler cannot escape its role by working in a thread. A state machine's tasks run
as the state machine (``emulator._hold_workflow_tasks_to_their_state_machines_role``), held to its
own role the same way. Calls made outside any function or state machine (the emulator provisioning,
the tests' own checks, moto) are not a principal's and pass.

Each grant that allowed a call, each denied call and each function run is recorded to
``$IAM_CALLS_LOG`` when set, so that ``scripts/check_iam.py`` can report denied calls (even those the
code caught), grants no code uses and functions the suite never ran.
"""

import contextvars
import copy
import fnmatch
import json
import os
import re
import threading
import uuid
from collections.abc import Callable, Iterator, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from email.utils import parseaddr
from functools import cache
from pathlib import Path
from typing import Any

import botocore.signers
from botocore.client import BaseClient
from botocore.exceptions import ClientError

from local import template

REGION = "eu-west-3"
_function: contextvars.ContextVar[str | None] = contextvars.ContextVar("iam_function", default=None)
_denials_expected: contextvars.ContextVar[bool] = contextvars.ContextVar("iam_denials_expected", default=False)

Resolve = Callable[[Any], str]


# ---------------------------------------------------------------- the roles, from the template
class NoManagedPolicies:
    """The template uses policy templates and inline statements only, never AWS managed policy names."""

    def load(self) -> dict[str, Any]:
        return {}


def packaged(sam: dict[str, Any]) -> dict[str, Any]:
    """What `sam package` hands CloudFormation: local paths become S3 artifacts."""
    for resource in sam["Resources"].values():
        properties = resource.get("Properties", {})
        for uri in ("CodeUri", "ContentUri"):
            if isinstance(properties.get(uri), str):
                properties[uri] = f"s3://artifacts/{properties[uri].strip('/')}.zip"
        if "DefinitionUri" in properties:
            properties["Definition"] = json.loads((template.ROOT / properties.pop("DefinitionUri")).read_text())
    return sam


def translate(sam: dict[str, Any]) -> dict[str, Any]:
    """The CloudFormation template aws-sam-translator makes of ``sam`` (a SAM document, not modified)."""
    from samtranslator.translator.transform import transform

    os.environ.setdefault("AWS_DEFAULT_REGION", REGION)
    translated: dict[str, Any] = transform(packaged(copy.deepcopy(sam)), {"AWS::Region": REGION}, NoManagedPolicies())
    return translated


Grant = tuple[str, str]  # (action pattern, resource as the template writes it): what check_iam.py reports
# A request's condition keys (lower case, as IAM compares them) and their values.
Context = dict[str, list[str]]
Condition = tuple[str, str, tuple[str, ...]]  # (operator, key, values), resolved


@dataclass(frozen=True)
class Statement:
    effect: str
    actions: tuple[str, ...]
    resources: tuple[tuple[str, str], ...]  # (as written, resolved to this run's names)
    conditions: tuple[Condition, ...] = ()

    def grants(self) -> list[Grant]:
        return [(action, written) for action in self.actions for written, _ in self.resources]

    def matching(self, action: str, resource: str, context: Context | None = None) -> list[Grant]:
        """The grants of this statement that cover the call (several when patterns overlap)."""
        if not all(_condition_holds(condition, context or {}) for condition in self.conditions):
            return []
        actions = [pattern for pattern in self.actions if _action_matches(pattern, action)]
        written = [raw for raw, pattern in self.resources if _resource_matches(pattern, resource)]
        return [(pattern, raw) for pattern in actions for raw in written]


# The condition operators the template uses, as IAM evaluates them: a StringLike value has IAM's
# wildcards (case-sensitive); a negated operator holds when the key is absent, the others do not
# (unless ...IfExists). ForAnyValue:/ForAllValues: compare each value of a multivalued key.
_STRING_OPERATORS: dict[str, Callable[[str, str], bool]] = {
    "StringEquals": lambda value, pattern: value == pattern,
    "StringLike": lambda value, pattern: _resource_matches(pattern, value),
}


def _condition_holds(condition: Condition, context: Context) -> bool:
    operator, key, patterns = condition
    quantifier, _, operator = operator.rpartition(":")
    if_exists = operator.endswith("IfExists")
    operator = operator.removesuffix("IfExists")
    negated = operator.startswith("StringNot")
    compare = _STRING_OPERATORS[operator.replace("StringNot", "String")]
    values = context.get(key.lower())
    if not values:
        return negated or if_exists or quantifier == "ForAllValues"
    matches = [any(compare(value, pattern) for pattern in patterns) for value in values]
    if quantifier == "ForAllValues":
        held = all(matches)
    elif quantifier == "ForAnyValue":
        held = any(matches)
    else:
        # A single-valued operator on a key the request gives one value.
        held = len(values) == 1 and matches[0]
    return not held if negated else held


def conditions(statement: dict[str, Any], resolve: Resolve) -> tuple[Condition, ...]:
    """A statement's Condition block, resolved; an operator not emulated is refused, not ignored."""
    found = []
    for operator, keys in statement.get("Condition", {}).items():
        base = operator.rpartition(":")[2].removesuffix("IfExists").replace("StringNot", "String")
        if base not in _STRING_OPERATORS:
            raise ValueError(f"condition operator {operator} not emulated")
        for key, values in keys.items():
            found.append((operator, str(key), tuple(resolve(value) for value in _listed(values))))
    return tuple(found)


def _action_matches(pattern: str, action: str) -> bool:
    return fnmatch.fnmatchcase(action.lower(), pattern.lower())


def _resource_matches(pattern: str, resource: str) -> bool:
    """IAM's ARN wildcards: ``*`` any run of characters (``/`` included), ``?`` one; case-sensitive."""
    regex = "".join(".*" if char == "*" else "." if char == "?" else re.escape(char) for char in pattern)
    return re.fullmatch(regex, resource, flags=re.DOTALL) is not None


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def role_statements(cloudformation: dict[str, Any], logical_id: str, resolve: Resolve) -> list[Statement]:
    """The inline statements of the role SAM made for one function or state machine, resolved."""
    properties = cloudformation["Resources"][logical_id]["Properties"]
    role_id = (properties.get("Role") or properties.get("RoleArn"))["Fn::GetAtt"][0]
    statements = []
    for policy in cloudformation["Resources"][role_id]["Properties"].get("Policies", []):
        for statement in _listed(policy["PolicyDocument"]["Statement"]):
            unsupported = {"NotAction", "NotResource"} & set(statement)
            if unsupported:
                raise ValueError(f"{logical_id}: {sorted(unsupported)} not emulated, use Action and Resource")
            statements.append(
                Statement(
                    effect=statement["Effect"],
                    actions=tuple(_listed(statement["Action"])),
                    resources=tuple(
                        (written(resource), resolve(resource)) for resource in _listed(statement["Resource"])
                    ),
                    conditions=conditions(statement, resolve),
                )
            )
    return statements


def written(resource: Any) -> str:
    """A resource as the template writes it, the same in every run (no run's generated names)."""
    return resource if isinstance(resource, str) else json.dumps(resource, sort_keys=True)


# What runs with a role of its own: each function, and each state machine (its tasks' calls).
PRINCIPALS = ("AWS::Serverless::Function", "AWS::Serverless::StateMachine")


class Roles:
    """Each function's and state machine's statements. The managed policies SAM adds (logs, X-Ray)
    cover no call we make."""

    def __init__(self, sam: dict[str, Any], resolve: Resolve):
        cloudformation = translate(sam)
        self.statements = {
            logical_id: role_statements(cloudformation, logical_id, resolve)
            for logical_id, resource in sam["Resources"].items()
            if resource["Type"] in PRINCIPALS
        }

    def allowing(self, logical_id: str, action: str, resource: str, context: Context | None = None) -> list[Grant]:
        """The grants that allow the call, none when it is denied (no Allow, or an explicit Deny)."""
        statements = self.statements.get(logical_id, [])
        if any(s.effect == "Deny" and s.matching(action, resource, context) for s in statements):
            return []
        return [grant for s in statements if s.effect == "Allow" for grant in s.matching(action, resource, context)]

    def grants(self, logical_id: str) -> list[Grant]:
        return [grant for s in self.statements[logical_id] if s.effect == "Allow" for grant in s.grants()]


# ---------------------------------------------------------------- what a request needs
@dataclass(frozen=True)
class Account:
    region: str
    account: str
    secret_arns: tuple[str, ...]
    task_state_machines: dict[str, str]
    # SES identities (addresses and domains) of the account, and whether SES keeps it in the sandbox,
    # where a send is also authorised against each recipient's identity.
    ses_identities: tuple[str, ...] = ()
    ses_sandbox: bool = False

    def table(self, name: str, index: str | None = None) -> str:
        arn = f"arn:aws:dynamodb:{self.region}:{self.account}:table/{name}"
        return f"{arn}/index/{index}" if index else arn

    def secret(self, secret_id: str) -> str:
        if secret_id.startswith("arn:"):
            return secret_id
        # A secret's ARN is its name and a random six-character suffix.
        known = [arn for arn in self.secret_arns if arn.rsplit(":", 1)[1][:-7] == secret_id]
        return known[0] if known else f"arn:aws:secretsmanager:{self.region}:{self.account}:secret:{secret_id}"

    def parameter(self, name: str) -> str:
        return f"arn:aws:ssm:{self.region}:{self.account}:parameter/{name.lstrip('/')}"

    def function(self, name: str) -> str:
        return name if name.startswith("arn:") else f"arn:aws:lambda:{self.region}:{self.account}:function:{name}"

    def queue(self, url: str) -> str:
        """A queue's ARN from its URL (``http(s)://<host>/<account>/<name>``)."""
        account, name = url.rstrip("/").split("/")[-2:]
        return f"arn:aws:sqs:{self.region}:{account}:{name}"

    def ses(self, kind: str, name: str) -> str:
        return f"arn:aws:ses:{self.region}:{self.account}:{kind}/{name}"

    def key(self, key_id: str) -> str:
        return key_id if key_id.startswith("arn:") else f"arn:aws:kms:{self.region}:{self.account}:key/{key_id}"

    def sending_identity(self, address: str) -> str:
        """The identity SES sends an address's email as: the address if verified, else its domain's."""
        domain = address.rpartition("@")[2]
        if address not in self.ses_identities and domain in self.ses_identities:
            return domain
        return address


_TRANSACT_ACTIONS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
    "Get": "GetItem",
}
_S3_ACTIONS = {
    "HeadObject": "GetObject",
    "CopyObject": "PutObject",
    "CreateMultipartUpload": "PutObject",
    "UploadPart": "PutObject",
    "CompleteMultipartUpload": "PutObject",
    "ListObjects": "ListBucket",
    "ListObjectsV2": "ListBucket",
    "HeadBucket": "ListBucket",
    "ListObjectVersions": "ListBucketVersions",
}


def required(prefix: str, operation: str, params: dict[str, Any], account: Account) -> list[tuple[str, str]]:
    """The (IAM action, resource ARN) pairs AWS checks for one request; ``*`` where none is derived."""
    if prefix == "dynamodb":
        return _dynamodb(operation, params, account)
    if prefix == "secretsmanager" and "SecretId" in params:
        return [(f"secretsmanager:{operation}", account.secret(params["SecretId"]))]
    if prefix == "ssm":
        names = params.get("Names") or [params.get("Name") or params.get("Path")]
        return [(f"ssm:{operation}", account.parameter(name) if name else "*") for name in names]
    if prefix == "states":
        return [(f"states:{operation}", _state_machine_resource(operation, params, account))]
    if prefix == "ses":
        return _ses(operation, params, account)
    if prefix == "s3":
        return _s3(operation, params)
    if prefix == "lambda" and operation == "Invoke":
        return [("lambda:InvokeFunction", account.function(params["FunctionName"]))]
    if prefix == "sqs" and "QueueUrl" in params:
        return [(f"sqs:{operation}", account.queue(params["QueueUrl"]))]
    if prefix == "kms" and "KeyId" in params:
        return [(f"kms:{operation}", account.key(params["KeyId"]))]
    return [(f"{prefix}:{operation}", "*")]


def _dynamodb(operation: str, params: dict[str, Any], account: Account) -> list[tuple[str, str]]:
    # A transaction is authorised item by item, as the action each item performs (no IAM action of its own).
    if operation in ("TransactWriteItems", "TransactGetItems"):
        return [
            (f"dynamodb:{_TRANSACT_ACTIONS[kind]}", account.table(body["TableName"]))
            for item in params["TransactItems"]
            for kind, body in item.items()
        ]
    if operation in ("BatchGetItem", "BatchWriteItem"):
        return [(f"dynamodb:{operation}", account.table(name)) for name in params["RequestItems"]]
    if "TableName" in params:
        return [(f"dynamodb:{operation}", account.table(params["TableName"], params.get("IndexName")))]
    # DynamoDB Streams (signed as dynamodb): a stream's ARN, or the one its shard iterator was taken on.
    if "StreamArn" in params:
        return [(f"dynamodb:{operation}", str(params["StreamArn"]))]
    if "ShardIterator" in params:
        return [(f"dynamodb:{operation}", str(params["ShardIterator"]).split("|", 1)[0])]
    return [(f"dynamodb:{operation}", "*")]


def _state_machine_resource(operation: str, params: dict[str, Any], account: Account) -> str:
    if "stateMachineArn" in params:
        return str(params["stateMachineArn"])
    if "executionArn" in params:
        return str(params["executionArn"])
    if "taskToken" in params:
        # AWS authorises a callback against the state machine that issued the token (SAM's
        # StepFunctionsCallbackPolicy is scoped so); a token we never handed out belongs to none.
        return account.task_state_machines.get(params["taskToken"], "*")
    return "*"


def _ses(operation: str, params: dict[str, Any], account: Account) -> list[tuple[str, str]]:
    if operation == "SendEmail":
        sender = parseaddr(params.get("FromEmailAddress", ""))[1]
        needed = [("ses:SendEmail", account.ses("identity", account.sending_identity(sender)))]
        if "ConfigurationSetName" in params:
            needed.append(("ses:SendEmail", account.ses("configuration-set", params["ConfigurationSetName"])))
        if account.ses_sandbox:
            needed += [("ses:SendEmail", account.ses("identity", recipient)) for recipient in _recipients(params)]
        return needed
    if "EmailIdentity" in params:
        return [(f"ses:{operation}", account.ses("identity", params["EmailIdentity"]))]
    return [(f"ses:{operation}", "*")]


def _recipients(params: dict[str, Any]) -> list[str]:
    destination = params.get("Destination", {})
    return [
        parseaddr(address)[1]
        for kind in ("ToAddresses", "CcAddresses", "BccAddresses")
        for address in destination.get(kind, [])
    ]


def condition_context(prefix: str, operation: str, params: dict[str, Any]) -> Context:
    """The condition keys a request carries, for the services whose keys the template uses."""
    if prefix == "ses" and operation == "SendEmail":
        display_name, sender = parseaddr(params.get("FromEmailAddress", ""))
        return {
            "ses:fromaddress": [sender],
            "ses:fromdisplayname": [display_name] if display_name else [],
            "ses:recipients": _recipients(params),
        }
    return {}


def _s3(operation: str, params: dict[str, Any]) -> list[tuple[str, str]]:
    action = f"s3:{_S3_ACTIONS.get(operation, operation)}"
    bucket = params.get("Bucket", "*")
    if operation == "DeleteObjects":
        # IAM authorises each object of the batch: removing a given version needs DeleteObjectVersion.
        return [
            (
                f"s3:{'DeleteObjectVersion' if 'VersionId' in item else 'DeleteObject'}",
                f"arn:aws:s3:::{bucket}/{item['Key']}",
            )
            for item in params["Delete"]["Objects"]
        ]
    if "Key" in params:
        return [(action, f"arn:aws:s3:::{bucket}/{params['Key']}")]
    return [(action, f"arn:aws:s3:::{bucket}")]


# ---------------------------------------------------------------- enforcement
class Enforcer:
    """Checks every AWS call a running function makes; installed once per process."""

    def __init__(self, roles: Roles, account: Account, log: Path | None = None):
        self.roles = roles
        self.account = account
        self.log = log
        self._seen: set[tuple[tuple[str, str], ...]] = set()
        self._lock = threading.Lock()

    def check(self, client: BaseClient, operation: str, params: dict[str, Any]) -> None:
        function = _function.get()
        if function is None:
            return
        prefix = client.meta.service_model.signing_name
        context = condition_context(prefix, operation, params)
        for action, resource in required(prefix, operation, params, self.account):
            grants = self.roles.allowing(function, action, resource, context)
            if not grants:
                # Code may catch the error (a workflow answer that is best effort): the log still tells.
                if not _denials_expected.get():
                    self.record({"denied": function, "action": action, "resource": resource})
                raise denied(client, operation, function, action, resource)
            for grant in grants:
                self.record({"function": function, "action": grant[0], "resource": grant[1]})

    def record(self, entry: dict[str, str]) -> None:
        """Append each new entry to the log once (several processes may share it: one short line each)."""
        key = tuple(sorted(entry.items()))
        with self._lock:
            if key in self._seen:
                return
            self._seen.add(key)
            if self.log:
                with self.log.open("a") as out:
                    out.write(json.dumps(entry) + "\n")


def denied(client: BaseClient, operation: str, function: str, action: str, resource: str) -> ClientError:
    """The error AWS answers: S3's is AccessDenied (403), the JSON services' AccessDeniedException (400)."""
    s3 = client.meta.service_model.signing_name == "s3"
    code, status = ("AccessDenied", 403) if s3 else ("AccessDeniedException", 400)
    principal = f"arn:aws:sts::{_ENFORCER_ACCOUNT[0]}:assumed-role/{function}Role/{function}"
    message = (
        f"User: {principal} is not authorized to perform: {action} on resource: {resource} "
        f"because no identity-based policy allows the {action} action"
    )
    response: Any = {
        "Error": {"Code": code, "Message": message},
        # AWS names the request; moto's Step Functions reads it from a failed task's error.
        "ResponseMetadata": {"HTTPStatusCode": status, "RequestId": str(uuid.uuid4())},
    }
    error_class: Any = client.exceptions.from_code(code)  # the modelled class, e.g. ResourceNotFoundException's
    error: ClientError = error_class(response, operation)
    return error


_ENFORCER_ACCOUNT = ["123456789012"]
_installed: list[Enforcer] = []


def enforcer() -> Enforcer:
    return _installed[0]


def install(enforcer: Enforcer) -> None:
    """Route every botocore call and presigned URL through ``enforcer`` (the first install patches)."""
    _ENFORCER_ACCOUNT[0] = enforcer.account.account
    if _installed:
        _installed[0] = enforcer
        return
    _installed.append(enforcer)
    original_call = BaseClient._make_api_call  # type: ignore[attr-defined]
    original_presign = botocore.signers.generate_presigned_url

    def make_api_call(self: BaseClient, operation_name: str, api_params: dict[str, Any]) -> Any:
        _installed[0].check(self, operation_name, api_params)
        return original_call(self, operation_name, api_params)

    def generate_presigned_url(self: BaseClient, ClientMethod: str, Params: Any = None, **kwargs: Any) -> Any:  # noqa: N803 - botocore's names
        # A presigned request runs with the signer's rights when used: check them at signing.
        operation = self._PY_TO_OP_NAME.get(ClientMethod, ClientMethod)  # type: ignore[attr-defined]
        _installed[0].check(self, operation, Params or {})
        return original_presign(self, ClientMethod, Params, **kwargs)

    BaseClient._make_api_call = make_api_call  # type: ignore[attr-defined]
    # Client classes created from now on get the checked presigner (botocore looks it up at class creation).
    botocore.signers.generate_presigned_url = generate_presigned_url  # type: ignore[assignment]
    _context_follows_threads()
    _caches_per_function()


def current_function() -> str | None:
    """The function whose code is running (None: the test or the emulator itself)."""
    return _function.get()


@contextmanager
def running_as(logical_id: str) -> Iterator[None]:
    token = _function.set(logical_id)
    try:
        yield
    finally:
        _function.reset(token)


@contextmanager
def denials_expected() -> Iterator[None]:
    """For tests that provoke a denial on purpose: it is not one check_iam.py reports."""
    token = _denials_expected.set(True)
    try:
        yield
    finally:
        _denials_expected.reset(token)


def _context_follows_threads() -> None:
    """A thread or pool task started by a function runs as that function, as in its Lambda container."""
    original_start = threading.Thread.start
    original_submit = ThreadPoolExecutor.submit

    def start(self: threading.Thread) -> None:
        # Always: the local run's worker thread for a route carries the test's expectations too.
        context = contextvars.copy_context()
        run = self.run
        self.run = lambda: context.run(run)  # type: ignore[method-assign]
        original_start(self)

    def submit(self: ThreadPoolExecutor, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        return original_submit(self, contextvars.copy_context().run, fn, *args, **kwargs)

    threading.Thread.start = start  # type: ignore[method-assign]
    ThreadPoolExecutor.submit = submit  # type: ignore[method-assign, assignment]


class _PerFunction(MutableMapping[str, Any]):
    """A mapping that each function sees on its own, as each Lambda container has its own memory."""

    every: list["_PerFunction"] = []

    def __init__(self) -> None:
        self._maps: dict[str | None, dict[str, Any]] = {}
        _PerFunction.every.append(self)

    def forget(self, logical_id: str) -> None:
        self._maps.pop(logical_id, None)

    def _mine(self) -> dict[str, Any]:
        return self._maps.setdefault(_function.get(), {})

    def __getitem__(self, key: str) -> Any:
        return self._mine()[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._mine()[key] = value

    def __delitem__(self, key: str) -> None:
        del self._mine()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._mine()))

    def __len__(self) -> int:
        return len(self._mine())

    def clear(self) -> None:
        self._mine().clear()


def _caches_per_function() -> None:
    """Values a container caches after reading them from AWS are cached per function here.

    Otherwise a function without the right to read the signing secret would use the copy another
    function had cached, and pass here while failing on AWS. Powertools Parameters keeps its
    providers (and their caches) in DEFAULT_PROVIDERS; the Stripe client holds the API key it read.
    """
    from aws_lambda_powertools.utilities.parameters import base, constants, secrets, ssm

    providers = _PerFunction()
    for module in (base, constants, secrets, ssm):
        module.DEFAULT_PROVIDERS = providers  # type: ignore[attr-defined]

    from comptasecure import stripe_api

    build = stripe_api.client.__wrapped__
    clients = _PerFunction()

    def client() -> Any:
        if "client" not in clients:
            clients["client"] = build()
        return clients["client"]

    stripe_api.client = client  # type: ignore[assignment]


def expire_caches(*logical_ids: str) -> None:
    """What the functions' containers cached from AWS (Powertools' parameters, the Stripe client) expires,
    as it does within 5 minutes on AWS: the next request of each reads it again (all functions if none
    are named)."""
    for mapping in _PerFunction.every:
        for logical_id in logical_ids or list(mapping._maps):
            mapping.forget(str(logical_id))


@cache
def log_path() -> Path | None:
    value = os.environ.get("IAM_CALLS_LOG")
    return Path(value) if value else None


def record_invocation(logical_id: str) -> None:
    """Which functions ran at all: a function the suite never runs has grants nothing checks."""
    if _installed:
        _installed[0].record({"invoked": logical_id})
