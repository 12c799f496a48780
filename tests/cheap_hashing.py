"""argon2id at production parameters was a third of the suite's time: the tests hash at a cheap profile.

The choice is made here, in tests/, by replacing the layer's hasher: nothing the layer ships (no
setting, no variable, no function) leads to weaker hashing in a deployment.
"""

from functools import cache

from argon2 import PasswordHasher

from comptasecure.domain import passwords

CHEAP_PARAMETERS = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}


def hash_cheaply() -> None:
    """From now on, this process hashes and verifies passwords at CHEAP_PARAMETERS."""
    passwords._hasher = cache(lambda: PasswordHasher(**CHEAP_PARAMETERS))  # type: ignore[method-assign]
    passwords._unknown_user_hash.cache_clear()
