"""argon2id at production parameters was a third of the suite's time: the tests hash at a cheap profile.

The choice is made here, in tests/, by replacing the layer's hasher: nothing the layer ships (no
setting, no variable, no function) leads to weaker hashing in a deployment. The same replacement
can hold verifications in flight, for tests of what concurrent logins may do meanwhile.
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Literal

from argon2 import PasswordHasher

from comptasecure.domain import passwords

CHEAP_PARAMETERS = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}


def hash_cheaply() -> None:
    """From now on, this process hashes and verifies passwords at CHEAP_PARAMETERS."""
    passwords._hasher = cache(lambda: PasswordHasher(**CHEAP_PARAMETERS))  # type: ignore[method-assign]
    passwords._unknown_user_hash.cache_clear()


class HeldVerifications:
    """The verifications of one password, each held until ``release``: what a slow argon2id does to a
    login in flight, made certain. Counts how many started."""

    def __init__(self, password: str, timeout: float) -> None:
        self.password = password
        self.timeout = timeout
        self.checked = 0
        self._changed = threading.Condition()
        self._released = threading.Event()

    def hold(self) -> None:
        with self._changed:
            self.checked += 1
            self._changed.notify_all()
        self._released.wait(self.timeout)

    def wait_for(self, count: int) -> None:
        """Until ``count`` verifications of the password are in flight (or were)."""
        with self._changed:
            assert self._changed.wait_for(lambda: self.checked >= count, self.timeout), self.checked

    def release(self) -> None:
        self._released.set()


@contextmanager
def held_verifications(password: str, timeout: float = 60.0) -> Iterator[HeldVerifications]:
    """While inside, every verification of ``password`` waits for ``release()`` (or the timeout)."""
    held = HeldVerifications(password, timeout)

    class HoldingHasher(PasswordHasher):
        def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
            if password == held.password:
                held.hold()
            return super().verify(hash, password)

    holding = HoldingHasher(**CHEAP_PARAMETERS)
    original = passwords._hasher
    passwords._hasher = lambda: holding  # type: ignore[method-assign]
    try:
        yield held
    finally:
        held.release()
        passwords._hasher = original  # type: ignore[method-assign]
