"""stripe costs hundreds of milliseconds to import: no handler loads it at cold start.

Billing functions import it on their first Stripe call; every other function never does.
"""

import subprocess
import sys
from typing import get_args

from comptasecure.settings import FunctionSetting
from local import template

PROBE = """
import sys
from local import template
for function in template.functions().values():
    function.load()
print("stripe" in sys.modules)
"""


def test_no_handler_imports_stripe_at_cold_start() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=template.ROOT,
        env={
            "PYTHONPATH": f"{template.ROOT / 'layers/common/python'}:{template.ROOT}",
            "TABLE_NAME": "cold-start",
            "JWT_SECRET_NAME": "cold-start",
            "EMAIL_CONFIGURATION_SET": "cold-start",
            # The settings only some functions get: each function checks the ones it needs at import.
            **{name.upper(): "cold-start" for name in get_args(FunctionSetting)},
            "AWS_DEFAULT_REGION": "eu-west-3",
        },
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip().splitlines()[-1] == "False"
