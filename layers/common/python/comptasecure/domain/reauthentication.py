"""The current password asked again before a sensitive change (password, email, turning MFA off).

One counter per user for all of them, reserved before the password is checked: a stolen session
gets 5 guesses per 15 minutes whichever change it tries.
"""

from collections.abc import Callable, Mapping
from contextlib import suppress
from typing import Any, Literal

from comptasecure import clock
from comptasecure.domain import passwords
from comptasecure.errors import TooManyPasswordAttempts, WrongCurrentPassword
from comptasecure.store import users as user_store
from comptasecure.store.conditions import ConditionFailed

MAX_ATTEMPTS = 5
WINDOW_SECONDS = 15 * 60


def check_password(account_id: str, user: Mapping[str, Any], current_password: str) -> None:
    """429 past the window's attempts, 422 on `current_password` when it is wrong."""
    if not reserve_attempt(account_id, user, "password", max_attempts=MAX_ATTEMPTS, window_seconds=WINDOW_SECONDS):
        raise TooManyPasswordAttempts()
    if not passwords.verify(user.get("password_hash"), current_password):
        raise WrongCurrentPassword()


def reserve_attempt(
    account_id: str,
    user: Mapping[str, Any],
    counter: Literal["password", "mfa"],
    *,
    max_attempts: int,
    window_seconds: int,
) -> bool:
    """Count one attempt at a secret before it is checked; False once the window's limit is reached.

    Counting first, in one conditional write, bounds the guesses even when many requests arrive at
    once. The user as just read says whether a window is open, so its write is tried first and
    usually alone; the other is tried only when the window opened or closed since the read.
    """
    now = clock.iso(clock.now())
    user_id = str(user["id"])

    def add() -> None:
        user_store.add_attempt(account_id, user_id, counter, max_attempts=max_attempts, now=now)

    def start() -> None:
        window_end = clock.iso(clock.later(window_seconds))
        user_store.start_attempt_window(account_id, user_id, counter, now=now, window_end=window_end)

    window_open = str(user.get(f"{counter}_attempts_until", "")) > now
    attempts: tuple[Callable[[], None], ...] = (add, start) if window_open else (start, add)
    for attempt in attempts:
        try:
            attempt()
        except ConditionFailed:
            continue
        return True
    return False


def forget_password_attempts(account_id: str, user_id: str) -> None:
    """The right password was given: the wrong ones before it no longer count (as a completed change
    clears them in its transaction)."""
    with suppress(ConditionFailed):  # the user is gone: nothing left to count
        user_store.clear_attempts(account_id, user_id, "password")
