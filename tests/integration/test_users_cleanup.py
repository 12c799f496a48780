"""The scheduled cleanup: only what expired goes, invitations are marked expired, by Query, never by Scan."""

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from comptasecure.settings import settings
from local import template
from local.emulator import invoke
from tests import seed
from tests.helpers import (
    Client,
    audit_actions,
    invite,
    owner_of_new_account,
    signup,
    unique_email,
    user_item,
    wait_for_email,
)
from tests.integration.test_users_table import dynamodb_calls

SCHEDULE_EVENT = json.loads((template.ROOT / "events/jobs/cleanup.json").read_text())


def run_cleanup() -> dict[str, int]:
    function = template.functions()["CleanupFunction"]
    result: dict[str, int] = invoke(function.logical_id, SCHEDULE_EVENT)
    return result


def item(table: Any, pk: str, sk: str) -> dict[str, Any] | None:
    found: dict[str, Any] | None = table.get_item(Key={"PK": pk, "SK": sk}).get("Item")
    return found


def test_cleanup_removes_only_what_expired_and_never_scans(client: Client, shift_clock: Any, table: Any) -> None:
    owner = owner_of_new_account(client)
    seed.account_type(owner.account_id, "premium")
    # What expired was invited, or signed up, a validity period ago (and a minute).
    shift_clock(-(max(settings().invitation_validity_seconds, settings().code_validity_seconds) + 60))
    late_email = unique_email("late")
    [late] = invite(owner, {"email": late_email})
    short_signup, short_reply = signup(client)
    wait_for_email(late_email)
    wait_for_email(short_signup)
    shift_clock(0)
    valid_email = unique_email("valid")
    [valid] = invite(owner, {"email": valid_email})
    long_signup, long_reply = signup(client)
    wait_for_email(valid_email)
    wait_for_email(long_signup)
    pk = f"ACCOUNT#{owner.account_id}"

    # Before the job: the table already shows the expiry, the item still says invited.
    row = next(r for r in owner.client.get("/users").body["items"] if r["id"] == late["user_id"])
    assert row["status"] == "invitation_expired"

    with dynamodb_calls() as calls:
        removed = run_cleanup()
    assert "Scan" not in calls
    assert set(calls) <= {"Query", "DeleteItem", "TransactWriteItems"}, set(calls)
    assert removed["invitation"] >= 1 and removed["code"] >= 1

    assert item(table, pk, f"INVITATION#{late['user_id']}") is None
    assert user_item(table, owner.account_id, late["user_id"])["status"] == "invitation_expired"  # type: ignore[index]
    assert item(table, pk, f"INVITATION#{valid['user_id']}") is not None
    assert user_item(table, owner.account_id, valid["user_id"])["status"] == "invited"  # type: ignore[index]
    short, long = short_reply.body, long_reply.body
    assert item(table, f"ACCOUNT#{short['account_id']}", f"CODE#{short['user_id']}#confirmation") is None
    assert item(table, f"ACCOUNT#{long['account_id']}", f"CODE#{long['user_id']}#confirmation") is not None
    assert audit_actions(table, owner.account_id).count("user.invitation_expired") == 1

    # Twice more, at once: nothing else changes, no second event.
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda _: run_cleanup(), range(2)))
    assert audit_actions(table, owner.account_id).count("user.invitation_expired") == 1
    assert item(table, pk, f"INVITATION#{valid['user_id']}") is not None

    # A user marked expired is invited afresh, and the table says so.
    assert owner.client.post(f"/users/{late['user_id']}/resend-invitation").status == 202
    wait_for_email(late_email, count=2)
    row = next(r for r in owner.client.get("/users").body["items"] if r["id"] == late["user_id"])
    assert row["status"] == "invited"
