"""ComptaSecure account back end: the code every Lambda function shares (shipped as one layer).

A cold start imports boto3, pydantic, Powertools and our models: hundreds of thousands of objects
that live as long as the container. Python's cyclic collector, triggered by allocation counts, runs
full collections over them again and again during those imports and finds nothing to free (40 to
100 ms of a 400 ms cold start, measured by benchmarks/cold_start.py). So the collector is off from
the first import of this package until the function's handler is built (``init_done``); then what
the init built is frozen out of later collections, which stay cheap, and collection resumes.
"""

import gc

gc.disable()


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
    gc.enable()
