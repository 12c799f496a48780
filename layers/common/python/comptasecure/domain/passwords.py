"""Password policy (NIST SP 800-63B, ASVS 5.0 6.2) and argon2id hashing."""

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from comptasecure.errors import CommonPassword, PasswordLikeEmail, PasswordTooLong, PasswordTooShort

if TYPE_CHECKING:
    from argon2 import PasswordHasher

MIN_LENGTH = 12
MAX_LENGTH = 128

# argon2id for functions of 512 MB (signup) and 1,024 MB (login, invitation, password change).
# Lambda gives 512 MB about 0.29 vCPU (a full vCPU comes at 1,769 MB), so lanes beyond one run one
# after the other: p = 1. OWASP's first configuration, m = 19 MiB and t = 2, costs about 55 ms on a
# full core, so about 190 ms at 512 MB and 95 ms at 1,024 MB: the budget of a login. More memory
# would lengthen every login in proportion, with one hash at a time using 19 MiB of the function's
# memory either way. The library default (m = 64 MiB, t = 3, p = 4) took 138 ms on a full core,
# with four lanes on a third of one.
PRODUCTION_PARAMETERS = {"time_cost": 2, "memory_cost": 19 * 1024, "parallelism": 1}

# The shortest part of a password looked up as a common base; digits alone must be longer
# (a random 12-digit number starts with some 4-digit year or PIN of the list by chance).
SHORTEST_BASE = 4
SHORTEST_DIGIT_BASE = 8
COMMON_PASSWORDS_FILE = Path(__file__).resolve().parent.parent / "data" / "common_passwords.txt"
_LEADING = re.compile(r"^[^a-z]+")
_TRAILING = re.compile(r"[^a-z]+$")
_LETTER = re.compile(r"[a-z]")
_SEPARATORS = re.compile(r"[\s._-]+")


@cache
def _hasher() -> "PasswordHasher":
    # Imported on first use: only the routes that take a password load argon2 at all.
    from argon2 import PasswordHasher

    return PasswordHasher(
        time_cost=PRODUCTION_PARAMETERS["time_cost"],
        memory_cost=PRODUCTION_PARAMETERS["memory_cost"],
        parallelism=PRODUCTION_PARAMETERS["parallelism"],
    )


@cache
def _unknown_user_hash() -> str:
    """A hash at the current parameters, verified when no user has the email: the same work either way."""
    return _hasher().hash("no user has this email")


@cache
def _common_passwords() -> frozenset[str]:
    """The common passwords and bases shipped with the layer, read once per container."""
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def _candidates(password: str) -> set[str]:
    """The password and its cores once the digits and symbols around them are taken off.

    People stretch a common password to the 12-character minimum by adding digits or symbols
    (``azertyuiop12``, ``motdepasse123``, ``!iloveyou2026``), or by extending a digit run
    (``123456789012``): each prefix or suffix that stops at a letter boundary is looked up.
    """
    found: set[str] = set()
    for form in {password.lower(), _SEPARATORS.sub("", password.lower())}:
        found.add(form)
        leading = len(form) - len(_LEADING.sub("", form))
        trailing = len(form) - len(_TRAILING.sub("", form))
        for start in range(leading + 1):
            for end in range(len(form) - trailing, len(form) + 1):
                core = form[start:end]
                shortest = SHORTEST_BASE if _LETTER.search(core) else SHORTEST_DIGIT_BASE
                if len(core) >= shortest:
                    found.add(core)
    return found


def is_common(password: str) -> bool:
    return not _candidates(password).isdisjoint(_common_passwords())


def check_policy(password: str, *, field: str = "password", email: str | None = None) -> None:
    """Length 12 to 128, no composition rule, not a common password nor the email itself."""
    if len(password) < MIN_LENGTH:
        raise PasswordTooShort(field=field, minimum=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        raise PasswordTooLong(field=field, maximum=MAX_LENGTH)
    lowered = password.lower()
    if len(set(lowered)) < 4 or "comptasecure" in lowered or is_common(password):
        raise CommonPassword(field=field)
    if email and email.split("@")[0].lower() in lowered and len(email.split("@")[0]) >= 4:
        raise PasswordLikeEmail(field=field)


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify(password_hash: str | None, password: str) -> bool:
    """Check a password; without a hash (no such user), verify against a stand-in all the same."""
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return _hasher().verify(password_hash or _unknown_user_hash(), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when a hash was made with other parameters than today's (older or test ones)."""
    return _hasher().check_needs_rehash(password_hash)
