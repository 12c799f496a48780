"""Password policy (NIST SP 800-63B style) and argon2id hashing."""

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from comptasecure.errors import InvalidInput

MIN_LENGTH = 12
MAX_LENGTH = 128


@cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()  # argon2id with the library's RFC 9106 low-memory profile


@cache
def _common_passwords() -> frozenset[str]:
    # zxcvbn ships the most used passwords of public breaches: the blocklist NIST asks for.
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def check_policy(password: str, *, field: str = "password", email: str | None = None) -> None:
    """Length 12 to 128, no composition rule, not a common password nor the email itself."""
    if len(password) < MIN_LENGTH:
        raise InvalidInput(
            f"Le mot de passe doit contenir au moins {MIN_LENGTH} caractères.",
            field=field,
            code="weak_password",
        )
    if len(password) > MAX_LENGTH:
        raise InvalidInput(
            f"Le mot de passe doit contenir au plus {MAX_LENGTH} caractères.",
            field=field,
            code="weak_password",
        )
    lowered = password.lower()
    if lowered in _common_passwords() or len(set(lowered)) < 4 or "comptasecure" in lowered:
        raise InvalidInput(
            "Ce mot de passe est trop courant ou trop simple. Choisissez-en un autre.",
            field=field,
            code="weak_password",
        )
    if email and email.split("@")[0].lower() in lowered and len(email.split("@")[0]) >= 4:
        raise InvalidInput(
            "Le mot de passe ne doit pas reprendre votre adresse email.", field=field, code="weak_password"
        )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        # Still spend the hashing time, so an unknown account answers as slowly as a known one.
        _hasher().hash(password)
        return False
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
