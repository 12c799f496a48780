"""Every state machine parses with the ASL grammar and its ${substitutions} match template.yaml."""

import json
import re
import sys
from pathlib import Path

from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from local import template


def main() -> int:
    failures = []
    for name, resource in template.resources("AWS::Serverless::StateMachine").items():
        properties = resource["Properties"]
        text = (template.ROOT / properties["DefinitionUri"]).read_text()
        used = set(re.findall(r"\$\{(\w+)\}", text))
        declared = set(properties.get("DefinitionSubstitutions", {}))
        if used != declared:
            failures.append(f"{name}: substitutions used {sorted(used)} but declared {sorted(declared)}")
        for placeholder in used:
            text = text.replace(
                "${" + placeholder + "}", f"arn:aws:lambda:eu-west-3:123456789012:function:{placeholder}"
            )
        json.loads(text)
        AmazonStateLanguageParser.parse(text)
        print(f"{name}: ASL valid ({properties['DefinitionUri']})")
    for failure in failures:
        print(failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
