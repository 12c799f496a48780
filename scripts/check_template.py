"""SAM -> CloudFormation with aws-sam-translator, then cfn-lint on the result; and each function's
environment against the settings its handler declares it needs.

cfn-lint alone reads SAM loosely (a wrong runtime or a broken !Ref inside an environment
variable passes), so the template is translated first, as CloudFormation would.
"""

import ast
import json
import subprocess
import sys
from pathlib import Path
from typing import get_args

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from comptasecure.settings import FunctionSetting, Settings
from local import iam, template

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


def main() -> int:
    problems = settings_problems()
    for problem in problems:
        print(f"template: {problem}", file=sys.stderr)
    cloudformation = iam.translate(template.load())
    BUILD.mkdir(exist_ok=True)
    output = BUILD / "template.cfn.json"
    output.write_text(json.dumps(cloudformation, indent=1, default=str))
    # The translator resolves parameter defaults inside the Subs it writes: W1020 is its artifact.
    command = [str(Path(sys.executable).parent / "cfn-lint"), str(output), "--format", "parseable"]
    result = subprocess.run([*command, "--regions", "eu-west-3", "--ignore-checks", "W1020"], check=False)  # noqa: S603
    if result.returncode == 0 and not problems:
        print(f"template: SAM translated and cfn-lint clean ({len(cloudformation['Resources'])} resources)")
        print("template: every function is given the settings its handler requires")
    return result.returncode or int(bool(problems))


if __name__ == "__main__":
    sys.exit(main())
