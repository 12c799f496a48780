"""A function with a required setting missing fails at its cold start, naming the variable."""

import os
import subprocess
import sys

from local.template import LAYER, ROOT


def test_a_missing_required_setting_fails_the_import_with_its_name() -> None:
    environment = {"PATH": os.environ.get("PATH", ""), "AWS_DEFAULT_REGION": "eu-west-3", "JWT_SECRET_NAME": "x"}
    script = f"import sys; sys.path[:0] = [{str(ROOT / 'functions/profile')!r}, {str(LAYER)!r}]; import get_me"
    result = subprocess.run([sys.executable, "-c", script], env=environment, capture_output=True, text=True)
    assert result.returncode != 0
    assert "table_name" in result.stderr and "email_configuration_set" in result.stderr
