"""The user's own profile (SPEC R-PRO)."""

from typing import Any

from comptasecure.store import users as user_store

PROFILE_FIELDS = (
    "id",
    "email",
    "first_name",
    "last_name",
    "phone",
    "company_name",
    "siren",
    "job_title",
    "company_size",
    "role",
    "account_id",
    "status",
)


def get(account_id: str, user_id: str) -> dict[str, Any]:
    user = user_store.get(account_id, user_id)
    return {name: user.get(name) for name in PROFILE_FIELDS}
