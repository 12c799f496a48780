"""The password policy's common-password check and argon2id parameters, without AWS."""

import pytest
from argon2 import PasswordHasher

from comptasecure.domain import passwords
from comptasecure.errors import InvalidInput

STRETCHED_COMMON = [
    # The four the attack found accepted at the 12-character minimum.
    "azertyuiop12",
    "123456789012",
    "motdepasse123",
    "iloveyou1234",
    # Verbatim 12+ character entries of the NCSC top 100k, and French bases stretched to 12.
    "q1w2e3r4t5y6",
    "1qaz2wsx3edc",
    "rollercoaster",
    "Marseille2026!",
    "!!Chouchou1990",
    "MotDePasse-2024",
    "jetaime123456",
    "Password123456",
    "bonjour 2026 !!",
]


@pytest.mark.parametrize("password", STRETCHED_COMMON)
def test_common_passwords_stretched_to_the_minimum_are_refused(password: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        passwords.check_policy(password)
    assert refused.value.code == "weak_password"
    assert refused.value.field == "password"


@pytest.mark.parametrize(
    "password",
    ["Cabinet-Dupont 2026 !", "cheval agrafe batterie correcte", "839201746315", "Tr3s-l0ng-et-r4re"],
)
def test_uncommon_passwords_pass(password: str) -> None:
    passwords.check_policy(password)


def test_the_shipped_list_is_read_once_and_large() -> None:
    first = passwords._common_passwords()
    assert first is passwords._common_passwords()
    assert len(first) > 30_000
    assert {"motdepasse", "azertyuiop", "iloveyou", "1234567890"} <= first


def test_production_parameters_meet_owasp_and_old_hashes_still_verify() -> None:
    production = passwords.PRODUCTION_PARAMETERS
    assert production["memory_cost"] >= 19 * 1024
    assert production["time_cost"] >= 2
    assert production["parallelism"] == 1
    # A hash made with the library defaults (what production stored before) still verifies,
    # and is flagged for rehashing under today's parameters.
    legacy = PasswordHasher(time_cost=1, memory_cost=64, parallelism=4).hash("Cabinet-Dupont 2026 !")
    assert passwords.verify(legacy, "Cabinet-Dupont 2026 !")
    assert not passwords.verify(legacy, "Cabinet-Dupont 2026 ?")
    assert passwords.needs_rehash(legacy)
    assert not passwords.needs_rehash(passwords.hash_password("Cabinet-Dupont 2026 !"))


def test_no_user_means_no_match_whatever_the_password() -> None:
    assert not passwords.verify(None, "no user has this email")
    assert not passwords.verify("", "Cabinet-Dupont 2026 !")
