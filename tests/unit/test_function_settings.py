"""Each function checks its settings at its cold start: with exactly the environment template.yaml gives
it, its handler imports and ends its init with the cyclic collector on again; without any one of the
settings it requires, the import fails naming it.

The handlers are imported in this process (fresh module objects, the layer already loaded), each with
only its own environment, as Lambda would give it; values are placeholders, as nothing is called.
"""

import gc
import importlib.util
import os
import sys
from collections.abc import Iterator
from typing import Any, get_args

import pytest

from comptasecure.settings import FunctionSetting, Settings, settings
from local import template

FUNCTIONS = sorted(template.functions().values(), key=lambda function: function.logical_id)
GLOBAL_VARIABLES: dict[str, Any] = template.load()["Globals"]["Function"]["Environment"]["Variables"]
# What a missing variable can break: the shared settings without a default, and those only some functions get.
SHARED_REQUIRED = {name.upper() for name, field in Settings.model_fields.items() if field.is_required()}
FUNCTION_SETTINGS = {name.upper() for name in get_args(FunctionSetting)}


PARAMETERS: dict[str, Any] = template.load()["Parameters"]


def template_environment(function: template.Function) -> dict[str, str]:
    """Literal values as given, a template parameter's default, a placeholder for a resource's name."""

    def value(given: Any) -> str:
        if isinstance(given, dict):
            parameter = PARAMETERS.get(given.get("Ref", ""), {})
            return str(parameter.get("Default", "placeholder"))
        return str(given)

    variables = {**GLOBAL_VARIABLES, **function.environment}
    return {"AWS_REGION": "eu-west-3", **{name: value(given) for name, given in variables.items()}}


@pytest.fixture
def only_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Replace the whole environment, as a function's container has only its own."""

    def apply(environment: dict[str, str]) -> None:
        for name in list(os.environ):
            monkeypatch.delenv(name)
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        settings.cache_clear()

    yield apply
    monkeypatch.undo()
    settings.cache_clear()


def import_handler(function: template.Function) -> None:
    """Run the handler module's code afresh, as a new container's init does."""
    module_name = function.handler.rpartition(".")[0]
    path = template.ROOT / function.code_uri / f"{module_name}.py"
    spec = importlib.util.spec_from_file_location(f"settings_probe_{function.logical_id}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(path.parent))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(path.parent))


def required_by(function: template.Function, only_environment: Any) -> dict[str, str]:
    """Each setting whose absence fails the import, with the error it raised."""
    environment = template_environment(function)
    failures = {}
    for name in sorted((SHARED_REQUIRED | FUNCTION_SETTINGS) & environment.keys()):
        only_environment({key: value for key, value in environment.items() if key != name})
        try:
            import_handler(function)
        except Exception as error:  # any failure at init is what is looked for
            failures[name] = str(error)
    return failures


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda function: function.logical_id)
def test_handler_imports_with_exactly_its_template_environment(
    function: template.Function, only_environment: Any
) -> None:
    only_environment(template_environment(function))
    gc.disable()  # as the first import of the layer leaves it in a new container
    try:
        import_handler(function)
        # Its init ended (comptasecure.init_done): the cyclic collector runs again for its requests.
        assert gc.isenabled(), f"{function.logical_id} never ends its init: garbage cycles would pile up"
    finally:
        gc.enable()


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda function: function.logical_id)
def test_handler_without_a_setting_it_requires_fails_at_import_naming_it(
    function: template.Function, only_environment: Any
) -> None:
    failures = required_by(function, only_environment)
    # Every function reads the shared settings; a setting the template gives this function alone is
    # one it needs, so it must say so at init rather than fail its first request without it.
    own_settings = FUNCTION_SETTINGS & function.environment.keys()
    assert SHARED_REQUIRED | own_settings <= failures.keys()
    for name, error in failures.items():
        assert name.lower() in error.lower(), f"{function.logical_id} without {name}: {error}"
