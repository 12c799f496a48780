"""Sealed secrets: AES-GCM under a key derived from the signing secret, bound to their owner."""

from typing import Any

import pytest

from comptasecure.domain import sealed


def test_a_sealed_value_opens_for_its_owner_only(emulator: Any) -> None:
    value = sealed.seal("JBSWY3DPEHPK3PXP", "totp:account:user")
    assert "JBSWY3DPEHPK3PXP" not in value
    assert sealed.unseal(value, "totp:account:user") == "JBSWY3DPEHPK3PXP"
    with pytest.raises(sealed.SealError):
        sealed.unseal(value, "totp:account:another-user")


def test_a_tampered_value_does_not_open(emulator: Any) -> None:
    value = sealed.seal("JBSWY3DPEHPK3PXP", "owner")
    version, payload = value.split(":")
    flipped = payload[:-4] + ("AAAA" if not payload.endswith("AAAA") else "BBBB")
    with pytest.raises(sealed.SealError):
        sealed.unseal(f"{version}:{flipped}", "owner")


def test_each_seal_is_fresh(emulator: Any) -> None:
    assert sealed.seal("same", "owner") != sealed.seal("same", "owner")
