"""Reads template.yaml, the one source of truth for routes, functions and resources."""

import importlib.util
import itertools
import re
import sys
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "template.yaml"
LAYER = ROOT / "layers" / "common" / "python"


class _CfnLoader(yaml.SafeLoader):
    """YAML loader that turns CloudFormation short tags (!Ref, !Sub, !GetAtt…) into their long form."""


def _construct_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = str(value).split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {"Ref": value} if suffix == "Ref" else {f"Fn::{suffix}": value}


_CfnLoader.add_multi_constructor("!", _construct_tag)


@dataclass(frozen=True)
class Function:
    logical_id: str
    code_uri: str
    handler: str
    environment: dict[str, Any]

    def module(self) -> ModuleType:
        """Import the handler's module from its file, as the Lambda runtime would."""
        module_name = self.handler.rpartition(".")[0]
        return _import(ROOT / self.code_uri / f"{module_name}.py")

    def load(self) -> Any:
        return getattr(self.module(), self.handler.rpartition(".")[2])

    def new_container(self) -> Any:
        """The handler of a new execution environment: its module's init run afresh, in a module
        object of its own (Lambda gives each concurrent request an environment of its own)."""
        module_name = self.handler.rpartition(".")[0]
        path = ROOT / self.code_uri / f"{module_name}.py"
        spec = importlib.util.spec_from_file_location(f"{_module_name(path)}#{next(_containers)}", path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return getattr(module, self.handler.rpartition(".")[2])


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    function: Function
    public: bool

    @property
    def pattern(self) -> re.Pattern[str]:
        return re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", self.path) + "$")


@cache
def load() -> dict[str, Any]:
    document: dict[str, Any] = yaml.load(TEMPLATE.read_text(), Loader=_CfnLoader)  # noqa: S506 - SafeLoader subclass
    return document


def resources(kind: str) -> dict[str, dict[str, Any]]:
    return {name: resource for name, resource in load()["Resources"].items() if resource["Type"] == kind}


def functions() -> dict[str, Function]:
    return {
        name: Function(
            logical_id=name,
            code_uri=resource["Properties"]["CodeUri"],
            handler=resource["Properties"]["Handler"],
            environment=resource["Properties"].get("Environment", {}).get("Variables", {}),
        )
        for name, resource in resources("AWS::Serverless::Function").items()
    }


def routes() -> list[Route]:
    found = []
    all_functions = functions()
    for name, resource in resources("AWS::Serverless::Function").items():
        for event in resource["Properties"].get("Events", {}).values():
            if event["Type"] != "HttpApi":
                continue
            properties = event["Properties"]
            public = properties.get("Auth", {}).get("Authorizer") == "NONE"
            found.append(Route(properties["Method"].upper(), properties["Path"], all_functions[name], public))
    return found


def schedules() -> list[tuple[Function, str]]:
    found = []
    all_functions = functions()
    for name, resource in resources("AWS::Serverless::Function").items():
        for event in resource["Properties"].get("Events", {}).values():
            if event["Type"] in ("Schedule", "ScheduleV2"):
                found.append((all_functions[name], event["Properties"]["ScheduleExpression"]))
    return found


def authorizer() -> Function:
    api = next(iter(resources("AWS::Serverless::HttpApi").values()))
    auth = api["Properties"]["Auth"]
    definition = auth["Authorizers"][auth["DefaultAuthorizer"]]
    arn = definition["FunctionArn"]  # !GetAtt Function.Arn, or !Ref Function.Alias
    return functions()[arn["Fn::GetAtt"][0] if "Fn::GetAtt" in arn else arn["Ref"].split(".")[0]]


_import_lock = threading.RLock()
_containers = itertools.count(1)


def _module_name(path: Path) -> str:
    return "handlers." + ".".join(path.relative_to(ROOT / "functions").with_suffix("").parts)


def _import(path: Path) -> ModuleType:
    name = _module_name(path)
    # Concurrent first requests to one route must not see its module half executed.
    with _import_lock:
        if name in sys.modules:
            return sys.modules[name]
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[name]
            raise
        return module
