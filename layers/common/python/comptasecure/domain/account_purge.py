"""The purge of a deleted account (R-ACC-4: nothing of it stays), run by the account purge worker.

Its own module so that the account routes do not import Stripe: only the worker needs it.
"""

from contextlib import suppress
from typing import Any, TypedDict

from comptasecure.domain import billing, workflow
from comptasecure.errors import AccountNotDeleted
from comptasecure.observability import count, logger
from comptasecure.store import accounts as account_store
from comptasecure.store import bucket
from comptasecure.store import cabinet as cabinet_store
from comptasecure.store import passkeys as passkey_store
from comptasecure.store import users as user_store
from comptasecure.store.conditions import ConditionFailed


class Purged(TypedDict):
    """What a purge removed, and the calls it took (DynamoDB pages and batch writes, S3 calls)."""

    items: int
    item_pages: int
    batch_writes: int
    objects: int
    bucket_calls: int


def purge(account_id: str, stripe_customer_id: str | None) -> Purged:
    """Remove everything left of a deleted account; safe to run again (Lambda retries a failed run).

    The partition goes 1 MB page by 1 MB page, 25 items per BatchWriteItem; each item's links
    outside the partition (emails, passkey credentials, analyses, waiting workflows) are released first. Then every
    object version under the account's bucket prefixes, 1,000 per DeleteObjects, and last the
    Stripe customer (address, VAT number, payment methods) and the link webhooks used to find it,
    with any other customer made for the account that nothing links (found by its metadata).
    Returns what was removed and how many calls it took.
    """
    if account_store.exists(account_id):
        # Only a deleted account is purged, whatever a caller of the worker passes in.
        raise AccountNotDeleted()
    removed: Purged = {"items": 0, "item_pages": 0, "batch_writes": 0, "objects": 0, "bucket_calls": 0}
    while True:
        page, more = account_store.items_page(account_id)
        if not page:
            break
        for item in page:
            _release_outside_links(account_id, item)
        removed["batch_writes"] += account_store.delete_items(page)
        removed["items"] += len(page)
        removed["item_pages"] += 1
        if not more:
            break
    for prefix in bucket.account_prefixes(account_id):
        objects, calls = bucket.delete_prefix(prefix)
        removed["objects"] += objects
        removed["bucket_calls"] += calls
    linked = [stripe_customer_id] if stripe_customer_id else []
    for customer_id in dict.fromkeys(linked + billing.customers_made_for(account_id)):
        billing.delete_customer(customer_id, account_id)
    logger.info("account purged", extra={"account_id": account_id, **removed})
    count("AccountPurges")
    return removed


def _release_outside_links(account_id: str, item: dict[str, Any]) -> None:
    kind = item.get("kind")
    if kind in ("code", "invitation"):
        workflow.withdraw(item.get("task_token"), "Cancelled")
    elif kind == "user" and item.get("email"):
        # Already claimed by a user of another account: that claim is theirs to keep.
        with suppress(ConditionFailed):
            user_store.release_email(str(item["email"]), account_id)
    elif kind == "passkey" and item.get("id"):
        passkey_store.release_credential(str(item["id"]), account_id)
    elif kind == "crm" and item.get("analysis_id"):
        with suppress(ConditionFailed):  # another account's claim on the analysis id stays
            cabinet_store.release_analysis(str(item["analysis_id"]), account_id)
