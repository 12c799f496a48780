"""What `sam build` made is what Lambda can run: checked on .aws-sam/build after `make build`.

- each function's handler module at the root of its build folder (Lambda imports ``module.handler``
  with only that folder and the layers' ``/opt/python`` on the path);
- the shared package at ``python/comptasecure/`` of the layer, every native library built for arm64;
- every handler imports in an isolated interpreter whose path is only its build folder, the built
  layer and boto3 (which the Lambda runtime provides), as on a cold start (import_handlers.py: what all
  handlers share is imported once, then a process is forked per handler).

This machine is x86_64, so the layer's arm64 native packages cannot load here: the import check puts
x86_64 wheels of exactly the same versions (from the layer's hash-locked requirements) in front of them.
"""

import hashlib
import json
import os
import subprocess
import sys
import tomllib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from local import template

BUILD = template.ROOT / ".aws-sam" / "build"
CACHE = template.ROOT / "build" / "check-build"
REQUIREMENTS = template.ROOT / "layers" / "common" / "requirements.txt"
DIRECT_REQUIREMENTS = template.ROOT / "layers" / "common" / "requirements.in"
# What the python3.12 runtime ships and the layer does not: boto3 and what botocore itself imports.
RUNTIME_PACKAGES = ("boto3", "botocore", "s3transfer", "dateutil", "six")
ELF_MACHINE_AARCH64 = 0xB7

# What (nearly) every handler imports from the layer: import_handlers.py loads it once per interpreter.
SHARED_IMPORTS = ("comptasecure.http", "comptasecure.domain.audit_log")
IMPORT_HANDLERS = Path(__file__).resolve().parent / "import_handlers.py"


def built_template() -> dict[str, Any]:
    document: dict[str, Any] = yaml.load((BUILD / "template.yaml").read_text(), Loader=template._CfnLoader)  # noqa: S506
    return document


def layer_folder(document: dict[str, Any]) -> Path:
    (layer,) = [r for r in document["Resources"].values() if r["Type"] == "AWS::Serverless::LayerVersion"]
    return BUILD / str(layer["Properties"]["ContentUri"])


def check_layout(document: dict[str, Any], failures: list[str]) -> dict[str, tuple[Path, str]]:
    functions = {}
    for name, resource in document["Resources"].items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        folder = BUILD / resource["Properties"]["CodeUri"]
        handler = resource["Properties"]["Handler"]
        if not (folder / f"{handler.rpartition('.')[0]}.py").is_file():
            failures.append(f"{name}: {handler.rpartition('.')[0]}.py not at the root of {folder}")
        functions[name] = (folder, handler)
    layer = layer_folder(document)
    if not (layer / "python" / "comptasecure" / "__init__.py").is_file():
        failures.append(f"layer: no python/comptasecure/ in {layer}")
    if (layer / "python" / "python").exists():
        failures.append("layer: python/python/ would be /opt/python/python on Lambda, off the path")
    for library in (layer / "python").rglob("*.so"):
        with library.open("rb") as elf:
            header = elf.read(20)
        if header[:4] != b"\x7fELF" or int.from_bytes(header[18:20], "little") != ELF_MACHINE_AARCH64:
            failures.append(f"layer: {library.relative_to(layer)} is not an arm64 library")
    return functions


def native_distributions(layer: Path) -> list[str]:
    """name==version of each distribution in the layer that ships a compiled library."""
    found = []
    for record in (layer / "python").glob("*.dist-info/RECORD"):
        if any(line.split(",", 1)[0].endswith(".so") for line in record.read_text().splitlines()):
            metadata = (record.parent / "METADATA").read_text().splitlines()
            fields = dict(line.split(": ", 1) for line in metadata if ": " in line)
            found.append(f"{fields['Name']}=={fields['Version']}")
    return sorted(found)


def stand_ins(natives: list[str]) -> Path:
    """x86_64 wheels of the layer's native distributions, installed once per set of versions."""
    folder = CACHE / ("stand-ins-" + hashlib.sha256(json.dumps(natives).encode()).hexdigest()[:12])
    if not (folder / ".complete").exists():
        pinned = [line for line in _locked_requirements() if line.split("==")[0].lower() in _names(natives)]
        CACHE.mkdir(parents=True, exist_ok=True)
        requirements = CACHE / "stand-ins.txt"
        requirements.write_text("\n".join(pinned) + "\n")
        command = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps"]
        command += ["--require-hashes", "--only-binary=:all:", "--platform", "manylinux_2_17_x86_64"]
        command += ["--platform", "manylinux_2_28_x86_64", "--python-version", "3.12", "--implementation", "cp"]
        subprocess.run([*command, "--target", str(folder), "-r", str(requirements)], check=True)  # noqa: S603
        (folder / ".complete").touch()
    return folder


def _names(distributions: list[str]) -> set[str]:
    return {item.split("==")[0].lower().replace("_", "-") for item in distributions}


def _locked_requirements() -> list[str]:
    """The lock file's requirements, each joined to its hashes on one line."""
    text = REQUIREMENTS.read_text().replace("\\\n", " ")
    return [line.split("#", 1)[0].strip() for line in text.splitlines() if line and line[0].isalpha()]


def runtime_packages() -> Path:
    """boto3 as the Lambda runtime provides it: the tested version, and nothing else from the venv."""
    folder = CACHE / "runtime"
    folder.mkdir(parents=True, exist_ok=True)
    for package in RUNTIME_PACKAGES:
        source = Path(str(__import__(package).__file__))
        # A package is its folder; a single-module distribution (six) is its file.
        target = source.parent if source.name == "__init__.py" else source
        link = folder / target.name
        if not link.exists():
            link.symlink_to(target)
    return folder


def check_imports(
    functions: dict[str, tuple[Path, str]], layer: Path, failures: list[str], environment: dict[str, str]
) -> None:
    standins = stand_ins(native_distributions(layer))
    runtime = runtime_packages()

    shared = [str(standins), str(layer / "python"), str(runtime)]
    items = sorted(functions.items())
    servers = os.cpu_count() or 2

    def import_share(share: list[tuple[str, tuple[Path, str]]]) -> list[str]:
        requests = "".join(json.dumps([str(folder), handler]) + "\n" for _, (folder, handler) in share)
        # -I: no PYTHONPATH, no user site; -S: no site-packages. Only the paths above can be imported.
        result = subprocess.run(  # noqa: S603
            [sys.executable, "-I", "-S", str(IMPORT_HANDLERS), json.dumps(shared), json.dumps(SHARED_IMPORTS)],
            input=requests,
            capture_output=True,
            text=True,
            env=environment,
            cwd="/",
            check=False,
        )
        answers = [json.loads(line) for line in result.stdout.splitlines()]
        if result.returncode != 0 or len(answers) != len(share):
            return [f"the import check stopped: {result.stderr.strip().splitlines()[-1:]}"]
        return [f"{name}: {answer}" for (name, _), answer in zip(share, answers, strict=True) if answer]

    with ThreadPoolExecutor(max_workers=servers) as pool:
        for found in pool.map(import_share, [items[start::servers] for start in range(servers)]):
            failures.extend(found)


def lambda_environment(document: dict[str, Any]) -> dict[str, str]:
    """The variables functions get (a stand-in where the value is a deployed resource's name): the
    shared ones and, as each handler checks at import those it needs, every function's own."""
    variables = dict(document.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {}))
    for resource in document.get("Resources", {}).values():
        if resource.get("Type") == "AWS::Serverless::Function":
            variables.update(resource["Properties"].get("Environment", {}).get("Variables", {}))
    parameters = document.get("Parameters", {})

    def stand_in(value: Any) -> str:
        # A parameter's default (a number where the setting is one), else a resource's stand-in name.
        if isinstance(value, dict) and value.get("Ref") in parameters:
            return str(parameters[value["Ref"]].get("Default", "check-build"))
        return value if isinstance(value, str) else "check-build"

    environment = {name: stand_in(value) for name, value in variables.items()}
    environment.update({"AWS_DEFAULT_REGION": "eu-west-3", "AWS_REGION": "eu-west-3", "LANG": "C.UTF-8"})
    return environment


def check_pins(failures: list[str]) -> None:
    """The tests run on pyproject's pins: the layer must ship the same ones (boto3 aside)."""
    project = tomllib.loads((template.ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    layer = [line.strip() for line in DIRECT_REQUIREMENTS.read_text().splitlines() if line[:1].isalpha()]
    normalise = {requirement.lower().replace("_", "-") for requirement in layer}
    for requirement in project:
        if requirement.split("==")[0] not in RUNTIME_PACKAGES and requirement.lower() not in normalise:
            failures.append(f"pyproject.toml pins {requirement}, layers/common/requirements.in does not")
    locked = {line.split(" ")[0].lower() for line in _locked_requirements()}
    for requirement in layer:
        name, version = requirement.lower().replace("_", "-").split("==")
        if f"{name.split('[')[0]}=={version}" not in locked:
            failures.append(f"requirements.txt does not lock {requirement}: run make lock")


def main() -> int:
    if not (BUILD / "template.yaml").is_file():
        print("no .aws-sam/build/template.yaml: run `make build` first", file=sys.stderr)
        return 1
    document = built_template()
    failures: list[str] = []
    check_pins(failures)
    functions = check_layout(document, failures)
    if not failures:
        check_imports(functions, layer_folder(document), failures, lambda_environment(document))
    for failure in failures:
        print(failure, file=sys.stderr)
    if not failures:
        print(f"build: {len(functions)} handlers import from their build folder and the layer's python/comptasecure")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
