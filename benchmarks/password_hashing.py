"""Prints argon2id's hash and verify time at the production parameters (domain/passwords.py), not a test.

Lambda gives a 512 MB function about 0.29 vCPU (one vCPU at 1,769 MB), so a function's time is
roughly this machine's single-core time multiplied by 1,769 / its memory.

Not named argon2.py: a script's folder comes first on sys.path, so that name would hide the argon2
library from every script of this folder (run.py included).
"""

import statistics
import time
from collections.abc import Callable

from argon2 import PasswordHasher

from comptasecure.domain import passwords

ROUNDS = 15
LAMBDA_FULL_VCPU_MB = 1769


def median_ms(call: Callable[[], object], rounds: int = ROUNDS) -> float:
    timings = []
    for _ in range(rounds):
        start = time.perf_counter()
        call()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def main() -> None:
    parameters = passwords.PRODUCTION_PARAMETERS
    hasher = PasswordHasher(
        time_cost=parameters["time_cost"], memory_cost=parameters["memory_cost"], parallelism=parameters["parallelism"]
    )
    stored = hasher.hash("Cabinet-Dupont 2026 !")
    hashing = median_ms(lambda: hasher.hash("Cabinet-Dupont 2026 !"))
    verifying = median_ms(lambda: hasher.verify(stored, "Cabinet-Dupont 2026 !"))
    library_default = median_ms(lambda: PasswordHasher().hash("Cabinet-Dupont 2026 !"), rounds=5)
    print(
        f"argon2id m={parameters['memory_cost'] // 1024} MiB t={parameters['time_cost']} p={parameters['parallelism']}"
    )
    print(f"  hash   p50 {hashing:6.1f} ms on one core here")
    print(f"  verify p50 {verifying:6.1f} ms on one core here")
    for memory in (512, 1024):
        print(f"  about {hashing * LAMBDA_FULL_VCPU_MB / memory:6.0f} ms in a {memory} MB function")
    print(f"library default (m=64 MiB t=3 p=4) hash p50 {library_default:6.1f} ms here")


if __name__ == "__main__":
    main()
