"""The local run stays small: what a request leaves behind in the emulator is only the data it wrote."""

import gc
from typing import Any

from moto.dynamodb.models.table import Table

from tests.helpers import Client, signup_confirmed


def test_transactions_leave_no_copy_of_the_table_alive(client: Client, emulator: Any) -> None:
    # moto deep-copies the whole table before each transaction, for its rollback; its dashboard kept
    # every copy alive, so memory grew with transactions x table size (11.7 GB after 12,204 requests).
    _, tokens = signup_confirmed(client)
    owner = client.as_user(tokens["access_token"])
    for number in range(5):
        assert owner.patch("/account", {"name": f"Cabinet {number}"}).status == 200
    gc.collect()
    # An instance refers to its class: the collector finds every Table without a Python loop over the heap.
    tables = [candidate for candidate in gc.get_referrers(Table) if isinstance(candidate, Table)]
    # The table, and at most the copy of a transaction running now (the workflow writes in the
    # background; the emulator serialises DynamoDB requests, so there is never more than one).
    assert len(tables) <= 2
