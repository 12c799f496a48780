"""The current password asked again before a sensitive change (password, email, turning MFA off).

One counter per user for all of them, reserved before the password is checked: a stolen session
gets 5 guesses per 15 minutes whichever change it tries.
"""

from typing import Any

from comptasecure import clock
from comptasecure.domain import passwords
from comptasecure.errors import InvalidInput, TooManyAttempts
from comptasecure.store import users as user_store

MAX_ATTEMPTS = 5
WINDOW_SECONDS = 15 * 60


def check_password(account_id: str, user: dict[str, Any], current_password: str) -> None:
    """429 past the window's attempts, 422 on `current_password` when it is wrong."""
    if not user_store.reserve_password_attempt(
        account_id,
        str(user["id"]),
        max_attempts=MAX_ATTEMPTS,
        now=clock.iso(clock.now()),
        window_end=clock.iso(clock.later(WINDOW_SECONDS)),
    ):
        raise TooManyAttempts("Trop de tentatives avec un mot de passe erroné. Réessayez dans quelques minutes.")
    if not passwords.verify(user.get("password_hash"), current_password):
        raise InvalidInput(
            "Le mot de passe actuel est incorrect.", field="current_password", code="wrong_current_password"
        )
