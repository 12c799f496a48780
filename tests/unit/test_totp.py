"""TOTP against RFC 6238's own test vectors (Appendix B), and the rules built on it."""

import base64
from hashlib import sha1, sha256, sha512
from urllib.parse import parse_qs, urlsplit

import pytest

from comptasecure.domain import totp

SEEDS = {
    sha1: b"12345678901234567890",
    sha256: b"12345678901234567890123456789012",
    sha512: b"1234567890123456789012345678901234567890123456789012345678901234",
}
# RFC 6238 Appendix B: time, then the 8-digit code for SHA-1, SHA-256 and SHA-512.
VECTORS = [
    (59, "94287082", "46119246", "90693936"),
    (1111111109, "07081804", "68084774", "25091201"),
    (1111111111, "14050471", "67062674", "99943326"),
    (1234567890, "89005924", "91819424", "93441116"),
    (2000000000, "69279037", "90698825", "38618901"),
    (20000000000, "65353130", "77737706", "47863826"),
]


@pytest.mark.parametrize(("moment", "expected_sha1", "expected_sha256", "expected_sha512"), VECTORS)
def test_rfc_6238_vectors(moment: int, expected_sha1: str, expected_sha256: str, expected_sha512: str) -> None:
    for digest, expected in ((sha1, expected_sha1), (sha256, expected_sha256), (sha512, expected_sha512)):
        assert totp.hotp(SEEDS[digest], totp.step_at(moment), digits=8, digest=digest) == expected


def test_six_digit_code_is_the_vector_truncated() -> None:
    secret = base64.b32encode(SEEDS[sha1]).decode()
    # The 6-digit code is the same number modulo 10^6: the last six digits of the 8-digit vector.
    assert totp.code_at(secret, 59) == "287082"
    assert totp.code_at(secret, 1111111109) == "081804"


def test_a_code_matches_its_step_and_one_step_either_side_only() -> None:
    secret = totp.new_secret()
    now = 1_795_870_650
    code = totp.code_at(secret, now)
    assert totp.matching_step(secret, code, now) == totp.step_at(now)
    assert totp.matching_step(secret, code, now + 30) == totp.step_at(now)
    assert totp.matching_step(secret, code, now - 30) == totp.step_at(now)
    assert totp.matching_step(secret, code, now + 61) is None
    assert totp.matching_step(secret, code, now - 61) is None


def test_a_wrong_code_matches_no_step() -> None:
    secret = totp.new_secret()
    now = 1_795_870_650
    valid = {totp.code_at(secret, now + delta) for delta in (-30, 0, 30)}
    wrong = next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in valid)
    assert totp.matching_step(secret, wrong, now) is None


def test_the_right_code_in_other_unicode_digits_matches_no_step() -> None:
    """Issue 20 item 4: the code's digits in another script are no code (compare_digest raised on them)."""
    secret = totp.new_secret()
    now = 1_795_870_650
    code = totp.code_at(secret, now)
    for zero in ("\uff10", "\u0660", "\u0966"):  # full-width, Arabic-Indic, Devanagari digit zero
        other = "".join(chr(ord(zero) + int(digit)) for digit in code)
        assert other.isdigit() and not totp.is_code(other)
        assert totp.matching_step(secret, other, now) is None
    assert totp.is_code(code) and not totp.is_code(code[:5]) and not totp.is_code(code + "0")


def test_new_secrets_are_160_random_bits_in_base32() -> None:
    secrets = {totp.new_secret() for _ in range(100)}
    assert len(secrets) == 100
    assert all(len(totp.secret_bytes(secret)) == 20 for secret in secrets)


def test_otpauth_uri_carries_what_authenticator_apps_read() -> None:
    uri = totp.otpauth_uri("JBSWY3DPEHPK3PXP", "claire@cabinet.fr", "ComptaSecure")
    parts = urlsplit(uri)
    assert (parts.scheme, parts.netloc, parts.path) == ("otpauth", "totp", "/ComptaSecure:claire@cabinet.fr")
    assert parse_qs(parts.query) == {
        "secret": ["JBSWY3DPEHPK3PXP"],
        "issuer": ["ComptaSecure"],
        "algorithm": ["SHA1"],
        "digits": ["6"],
        "period": ["30"],
    }
