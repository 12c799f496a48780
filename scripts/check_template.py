"""SAM -> CloudFormation with aws-sam-translator, then cfn-lint on the result.

cfn-lint alone reads SAM loosely (a wrong runtime or a broken !Ref inside an environment
variable passes), so the template is translated first, as CloudFormation would.
"""

import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from local import iam, template

BUILD = template.ROOT / "build"


def main() -> int:
    cloudformation = iam.translate(template.load())
    BUILD.mkdir(exist_ok=True)
    output = BUILD / "template.cfn.json"
    output.write_text(json.dumps(cloudformation, indent=1, default=str))
    # The translator resolves parameter defaults inside the Subs it writes: W1020 is its artifact.
    command = [str(Path(sys.executable).parent / "cfn-lint"), str(output), "--format", "parseable"]
    result = subprocess.run([*command, "--regions", "eu-west-3", "--ignore-checks", "W1020"], check=False)  # noqa: S603
    if result.returncode == 0:
        print(f"template: SAM translated and cfn-lint clean ({len(cloudformation['Resources'])} resources)")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
