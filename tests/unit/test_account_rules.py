"""The account's own rules, without AWS: what an owner's PATCH /account changes."""

from comptasecure.domain.accounts import account_changes
from comptasecure.store.records import Account

ACCOUNT: Account = {
    "id": "a1",
    "name": "Cabinet Dupont",
    "type_id": "freemium",
    "owner_id": "u1",
    "user_count": 1,
    "created_at": "2026-01-05T09:00:00Z",
}


def test_both_fields_are_one_change() -> None:
    assert account_changes(ACCOUNT, name="Cabinet Martin", require_mfa=True) == {
        "name": "Cabinet Martin",
        "require_mfa": True,
    }


def test_a_field_given_with_its_current_value_is_no_change() -> None:
    assert account_changes(ACCOUNT, name="Cabinet Dupont", require_mfa=False) == {}
    assert account_changes({**ACCOUNT, "require_mfa": True}, name=None, require_mfa=False) == {"require_mfa": False}
