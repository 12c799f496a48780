"""ComptaSecure account back end: the code every Lambda function shares (shipped as one layer).

A cold start imports boto3, pydantic, Powertools and our models: hundreds of thousands of objects
that live as long as the container. Python's cyclic collector, triggered by allocation counts, runs
full collections over them again and again during those imports and finds nothing to free (40 to
100 ms of a 400 ms cold start, measured by benchmarks/cold_start.py). So the collector is off from
the first import of this package until the function's handler is built (``init_done``); then what
the init built is frozen out of later collections, which stay cheap, and collection resumes.

Second, pyOpenSSL: py_webauthn (passkeys) needs it for attestation certificate chains, so the layer
ships it; but botocore imports ``urllib3.contrib.pyopenssl`` whenever it can (only to name the
standard SSLContext it would use anyway), which loads pyOpenSSL and cryptography at every function's
cold start: about 50 ms here, for the 6 functions that verify passkeys and the 70 others alike. The
contrib module is marked absent before boto3 is imported (this package is the layer's first import),
so botocore takes its fallback, the standard library's SSLContext, as it does without pyOpenSSL; the
passkey functions load pyOpenSSL themselves, on first use, through py_webauthn.
"""

import gc
import os
import sys

gc.disable()
sys.modules.setdefault("urllib3.contrib.pyopenssl", None)  # type: ignore[arg-type]


_frozen = False


def init_done() -> None:
    """End of the function's init: freeze what it built, collect again from now on.

    Once per process, as Lambda runs one init per environment: a process that builds handlers again
    (the local run, the tests) must not freeze, at each one, the garbage its requests left meanwhile.
    """
    global _frozen
    if not _frozen:
        _frozen = True
        gc.freeze()
        if os.environ.get("AWS_LAMBDA_INITIALIZATION_TYPE") == "snap-start":
            _restore_hooks()
    gc.enable()


def _restore_hooks() -> None:
    """With SnapStart the init runs once, and every environment resumes from its memory: what the init
    left must not be shared by them. The retries' jitter draws from ``random``, seeded at import: every
    restored environment would draw the same delays and retry in step, so each reseeds (from
    os.urandom). No connection is opened during init (AWS clients are created at their first use), so
    none is shared. The Lambda runtime provides snapshot_restore_py; only a snapshot's init imports it."""
    from snapshot_restore_py import register_after_restore

    register_after_restore(_reseed)


def _reseed() -> None:
    import random

    random.seed()
