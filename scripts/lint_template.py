"""The deploy review's linters on the template, as CloudFormation gets it: cfn-lint with awslabs' serverless
rules (cfn-lint-serverless) and checkov. Every finding is fixed, or skipped in lint-skips.txt with its
reason; the check fails on a finding no line explains and on a line that explains no finding (stale).

The linters run from their own venv (`.lint`, installed by `make`): checkov pins a dependency tree of its
own, as the SAM CLI does in `.tools`. Prints each linter's count of findings and how many are explained.
"""

import fnmatch
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from local import iam, template

LINT_BIN = template.ROOT / ".lint" / "bin"
SKIPS = template.ROOT / "lint-skips.txt"
OUTPUT = template.ROOT / "build" / "template.lint.json"


@dataclass(frozen=True)
class Finding:
    tool: str
    check: str
    resource: str
    message: str

    def __str__(self) -> str:
        return f"{self.tool} {self.check} {self.resource}: {self.message}"


@dataclass(frozen=True)
class Skip:
    tool: str
    check: str
    resources: str  # a glob of logical ids
    reason: str

    def explains(self, finding: Finding) -> bool:
        return (
            finding.tool == self.tool
            and finding.check == self.check
            and fnmatch.fnmatchcase(finding.resource, self.resources)
        )


def skips(text: str) -> list[Skip]:
    """``tool check resource-glob reason`` per line; blank lines and ``#`` comments ignored."""
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = line.split(None, 3)
        if len(parts) < 4:
            raise ValueError(f"lint-skips.txt:{number}: expected `tool check resource-glob reason`")
        found.append(Skip(*parts))
    return found


def cfn_lint(path: Path) -> list[Finding]:
    command = [str(LINT_BIN / "cfn-lint"), str(path), "--regions", iam.REGION, "--format", "json"]
    result = subprocess.run(  # noqa: S603 - our own venv's tool on our own file
        [*command, "--append-rules", "cfn_lint_serverless.rules"], capture_output=True, text=True, check=False
    )
    if result.returncode and not result.stdout.strip():
        raise RuntimeError(f"cfn-lint failed: {result.stderr}")
    return [
        Finding("cfn-lint", match["Rule"]["Id"], _resource(match["Location"]["Path"]), match["Message"])
        for match in json.loads(result.stdout or "[]")
    ]


def _resource(path: list[str | int]) -> str:
    return str(path[1]) if len(path) > 1 and path[0] in ("Resources", "Parameters", "Outputs") else "*"


def checkov(path: Path) -> list[Finding]:
    # --skip-download: the checks it ships, nothing fetched from its vendor's platform.
    command = [str(LINT_BIN / "checkov"), "-f", str(path), "--framework", "cloudformation", "-o", "json"]
    options = ["--quiet", "--compact", "--skip-download"]
    result = subprocess.run([*command, *options], capture_output=True, text=True, check=False)  # noqa: S603
    if not result.stdout.strip():
        raise RuntimeError(f"checkov failed: {result.stderr}")
    report = json.loads(result.stdout)
    failed = report.get("results", {}).get("failed_checks", []) if isinstance(report, dict) else []
    return [
        Finding("checkov", check["check_id"], check["resource"].rpartition(".")[2], check["check_name"])
        for check in failed
    ]


def main() -> int:
    OUTPUT.parent.mkdir(exist_ok=True)
    OUTPUT.write_text(json.dumps(iam.translate(template.load()), indent=1, default=str))
    findings = cfn_lint(OUTPUT) + checkov(OUTPUT)
    reasons = skips(SKIPS.read_text())
    unexplained = [finding for finding in findings if not any(skip.explains(finding) for skip in reasons)]
    stale = [skip for skip in reasons if not any(skip.explains(finding) for finding in findings)]
    for finding in unexplained:
        print(f"lint: {finding}", file=sys.stderr)
    for skip in stale:
        print(f"lint: lint-skips.txt explains no finding: {skip.tool} {skip.check} {skip.resources}", file=sys.stderr)
    for tool in ("cfn-lint", "checkov"):
        of_tool = [finding for finding in findings if finding.tool == tool]
        print(
            f"lint: {tool}: {len(of_tool)} findings, {len(of_tool) - sum(f in unexplained for f in of_tool)} "
            "explained in lint-skips.txt"
        )
    return 1 if unexplained or stale else 0


if __name__ == "__main__":
    sys.exit(main())
