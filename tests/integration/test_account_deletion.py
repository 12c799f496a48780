"""DELETE /account leaves nothing (R-ACC-4, issue 11 item 2), and scales (issue 10 item 3): the route
answers at once and an asynchronous purge removes the table items, bucket objects and Stripe customer."""

import threading
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import pytest
import stripe

from comptasecure import aws
from comptasecure.errors import Conflict
from comptasecure.settings import settings
from comptasecure.store import accounts as account_store
from comptasecure.store import keys
from local.emulator import invoke
from tests.billing_helpers import deliver, linked_customer, stripe_client, stripe_event
from tests.helpers import CallCounter, Client, eventually, owner_of_new_account, partition, wait_for_purge


def object_versions(account_id: str) -> list[str]:
    s3 = boto3.client("s3")
    found: list[str] = []
    for prefix in (f"accounts/{account_id}/", f"exports/{account_id}/"):
        listed = s3.list_object_versions(Bucket=settings().fec_bucket, Prefix=prefix)
        found += [entry["Key"] for entry in [*listed.get("Versions", []), *listed.get("DeleteMarkers", [])]]
    return found


def customer_link(table: Any, customer_id: str) -> Any:
    return table.get_item(Key=keys.key(keys.stripe_customer_pk(customer_id), keys.STRIPE_CUSTOMER_SK)).get("Item")


def seed_items(account_id: str, count: int, table: Any) -> None:
    with table.batch_writer() as batch:
        for number in range(count):
            at = f"2026-01-01T00:00:00.{number:06d}Z"
            batch.put_item(
                Item={**keys.key(keys.account_pk(account_id), keys.audit_sk(at, str(number))), "kind": "audit"}
            )


def test_nothing_of_the_account_remains_in_the_table_the_bucket_or_at_stripe(client: Client, table: Any) -> None:
    account = owner_of_new_account(client)
    customer_id = linked_customer(account)
    fec = account.client.post("/fecs", {"file_name": "123456782FEC20251231.txt"})
    assert fec.status == 201, fec.body
    upload = urllib.request.Request(fec.body["upload_url"], data=b"JournalCode|JournalLib\n", method="PUT")
    urllib.request.urlopen(upload).read()
    s3 = boto3.client("s3")
    key = f"accounts/{account.account_id}/fecs/{fec.body['id']}/123456782FEC20251231.txt"
    s3.put_object(Bucket=settings().fec_bucket, Key=key, Body=b"a second version")  # the bucket is versioned
    s3.put_object(Bucket=settings().fec_bucket, Key=f"exports/{account.account_id}/x.csv", Body=b"\xef\xbb\xbfdate")
    assert len(object_versions(account.account_id)) == 3

    assert account.client.delete("/account").status == 204
    # From this instant nothing of the account is reachable, purge or not.
    assert account.client.get("/account").status == 401
    assert account.client.get("/fecs").status == 401

    wait_for_purge(table, account.account_id)
    eventually(lambda: customer_link(table, customer_id) is None, "the Stripe customer link gone")
    assert object_versions(account.account_id) == []
    with pytest.raises(stripe.InvalidRequestError) as gone:
        stripe_client().v1.customers.retrieve(customer_id)
    assert gone.value.http_status == 404


def test_a_customer_made_for_the_account_but_never_linked_goes_with_it(client: Client, table: Any) -> None:
    account = owner_of_new_account(client)
    linked = linked_customer(account)
    # What a creation leaves when its function died before the link, and its retry came after Stripe's
    # 24-hour idempotency window: a second customer for the account, which no item names.
    unlinked = stripe_client().v1.customers.create(params={"metadata": {"account_id": account.account_id}}).id
    someone_elses = stripe_client().v1.customers.create(params={"metadata": {"account_id": "another"}}).id

    assert account.client.delete("/account").status == 204
    wait_for_purge(table, account.account_id)

    # The customers go last in the purge, after the table's items.
    eventually(lambda: not at_stripe(linked) and not at_stripe(unlinked), "both customers deleted at Stripe")
    assert at_stripe(someone_elses)


def at_stripe(customer_id: str) -> bool:
    try:
        stripe_client().v1.customers.retrieve(customer_id)
    except stripe.InvalidRequestError as error:
        assert error.http_status == 404
        return False
    return True


def test_stripe_events_for_a_deleted_account_are_acknowledged(client: Client, table: Any) -> None:
    account = owner_of_new_account(client)
    customer_id = linked_customer(account)
    assert account.client.delete("/account").status == 204
    wait_for_purge(table, account.account_id)
    eventually(lambda: customer_link(table, customer_id) is None, "the Stripe customer link gone")
    after_purge = deliver(client, stripe_event("customer_updated", customer_id))
    assert (after_purge.status, after_purge.body["outcome"]) == (200, "ignored")

    # While the purge runs, the link still names the deleted account: acknowledged too, nothing written.
    table.put_item(
        Item={
            **keys.key(keys.stripe_customer_pk(customer_id), keys.STRIPE_CUSTOMER_SK),
            "kind": "stripe_customer",
            "account_id": account.account_id,
        }
    )
    during_purge = deliver(client, stripe_event("invoice_paid", customer_id))
    assert (during_purge.status, during_purge.body["outcome"]) == (200, "ignored")
    assert partition(table, account.account_id) == []


@pytest.mark.parametrize(
    "sample", ["customer_updated", "invoice_finalized", "payment_method_attached", "payment_intent_succeeded"]
)
def test_a_stripe_event_writes_nothing_once_its_account_is_deleted(client: Client, table: Any, sample: str) -> None:
    """Between the deletion and the purge the customer link still names the account: each event type
    is acknowledged and writes nothing, whether it reads the account or only conditions its change on it."""
    account = owner_of_new_account(client)
    customer_id = linked_customer(account)
    table.delete_item(Key=keys.key(keys.account_pk(account.account_id), keys.ACCOUNT_META))
    before = partition(table, account.account_id)
    reply = deliver(client, stripe_event(sample, customer_id))
    assert (reply.status, reply.body["outcome"]) == (200, "ignored")
    assert partition(table, account.account_id) == before


def test_a_large_account_is_deleted_by_a_bounded_route_and_purged_in_batches(client: Client, table: Any) -> None:
    account = owner_of_new_account(client)
    seed_items(account.account_id, 600, table)  # the route reads none of them, whatever their number
    with CallCounter(function="DeleteAccountFunction") as route_calls:
        assert account.client.delete("/account").status == 204
    # The route's work does not grow with the account: reads of two items and one transaction.
    assert route_calls.calls["TransactWriteItems"] == 1
    assert "Query" not in route_calls.calls and "BatchWriteItem" not in route_calls.calls
    wait_for_purge(table, account.account_id)


def test_the_purge_deletes_25_items_per_call_and_retries_unprocessed_ones(
    client: Client, table: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    account = owner_of_new_account(client)
    seed_items(account.account_id, 120, table)
    assert account.client.delete("/account").status == 204
    wait_for_purge(table, account.account_id)
    seed_items(account.account_id, 120, table)  # left behind as if the first run had died
    real = aws.dynamodb_client().batch_write_item
    sizes: list[int] = []

    def throttled_once(**kwargs: Any) -> Any:
        [requests] = kwargs["RequestItems"].values()
        sizes.append(len(requests))
        if len(sizes) == 1:  # DynamoDB throttles: the last 10 come back unprocessed
            answer = real(RequestItems={name: batch[:-10] for name, batch in kwargs["RequestItems"].items()})
            return {**answer, "UnprocessedItems": {name: batch[-10:] for name, batch in kwargs["RequestItems"].items()}}
        return real(**kwargs)

    monkeypatch.setattr(aws.dynamodb_client(), "batch_write_item", throttled_once)
    removed = invoke("PurgeAccountFunction", {"account_id": account.account_id})
    assert removed["items"] == 120
    assert sizes == [25, 10, 25, 25, 25, 20]
    assert removed["batch_writes"] == 6
    assert partition(table, account.account_id) == []


def test_the_purge_refuses_an_account_that_is_not_deleted(client: Client, table: Any) -> None:
    account = owner_of_new_account(client)
    before = partition(table, account.account_id)
    with pytest.raises(Conflict):
        invoke("PurgeAccountFunction", {"account_id": account.account_id})
    assert partition(table, account.account_id) == before
    assert account_store.exists(account.account_id)


def test_fifty_parallel_deletions_delete_once(client: Client, table: Any) -> None:
    account = owner_of_new_account(client)
    seed_items(account.account_id, 60, table)
    start = threading.Barrier(50)

    def delete() -> int:
        start.wait()
        return account.client.delete("/account").status

    with ThreadPoolExecutor(max_workers=50) as pool:
        statuses = list(pool.map(lambda _: delete(), range(50)))
    assert statuses.count(204) == 1, statuses
    assert set(statuses) <= {204, 401, 404}, statuses
    wait_for_purge(table, account.account_id)
