"""The account as its users see it (SPEC R-ACC-1/3)."""

from typing import Any

from comptasecure.domain.catalogue import catalogue
from comptasecure.store import accounts as account_store


def view(account_id: str, caller_id: str) -> dict[str, Any]:
    """Name, type, limits, usage and whether the caller may delete it (owner and alone)."""
    account = account_store.get(account_id)
    account_type = catalogue().get(account["type_id"])
    user_count = int(account["user_count"])
    return {
        "id": account["id"],
        "name": account["name"],
        "type": {"id": account_type.id, "label": account_type.label},
        "limits": account_type.limits,
        "usage": {"users": user_count, "groups": int(account.get("group_count", 0))},
        "owner_id": account["owner_id"],
        "can_delete": account["owner_id"] == caller_id and user_count == 1,
    }


def types_for(account_id: str) -> list[dict[str, Any]]:
    current = account_store.get(account_id)["type_id"]
    return [
        {**account_type.model_dump(), "is_current": account_type.id == current} for account_type in catalogue().types
    ]
