"""Checks that ids a caller sends name users or groups of the caller's own account."""

from collections.abc import Sequence

from comptasecure.errors import UnknownGroups, UnknownUsers
from comptasecure.store import groups as group_store
from comptasecure.store import users as user_store
from comptasecure.store.records import Group, User


def users_of_account(account_id: str, user_ids: Sequence[str], field: str) -> list[User]:
    """The users, or 404 naming the field: another account's ids look exactly like unknown ones."""
    found = user_store.get_many_in(account_id, user_ids)
    if len(found) != len(set(user_ids)):
        raise UnknownUsers(field=field)
    return found


def groups_of_account(account_id: str, group_ids: Sequence[str], field: str) -> list[Group]:
    found = group_store.get_many_in(account_id, group_ids)
    if len(found) != len(set(group_ids)):
        raise UnknownGroups(field=field)
    return found
