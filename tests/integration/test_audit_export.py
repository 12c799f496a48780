"""GET /audit/export beyond the platform's limits: a bounded synchronous answer, else an export
written by the worker and downloaded through a presigned link (GET /audit/exports/{id})."""

import csv
import io
import time
import urllib.request
from collections.abc import Callable
from typing import Any

import boto3
import pytest

from comptasecure.settings import settings
from comptasecure.store import keys
from tests import seed
from tests.helpers import CallCounter, Client, Member, add_member, eventually, owner_by_signup

# Enough for a CSV well over the small budget (20 kB) the asynchronous tests set, few enough to seed in a second.
SEEDED = 800


@pytest.fixture
def owner(client: Client) -> Member:
    return owner_by_signup(client)


def seed_events(account_id: str, count: int) -> None:
    """Audit events with what a CSV must survive: accents, quotes, formulas."""
    seed.audit_events(account_id, count, lambda number: _event_to_survive(account_id, number))


def _event_to_survive(account_id: str, number: int) -> dict[str, Any]:
    return {
        "at": f"2026-01-01T00:{number // 60 % 60:02d}:{number % 60:02d}.{number:06d}Z",
        "actor_id": "system",
        "actor_email": None,
        "action": "test.seeded" if number % 2 else "test.other",
        "target_type": "account",
        "target_id": account_id,
        "details": {"note": f'=SUM(A1) « société » "{number}"'},
    }


def wait_until_done(client: Client, token: str, export_id: str, timeout: float = 120.0) -> dict[str, Any]:

    def done() -> dict[str, Any] | None:
        reply = client.get(f"/audit/exports/{export_id}", token=token)
        assert reply.status == 200, reply.body
        return dict(reply.body) if reply.body["status"] != "running" else None

    return eventually(done, f"the end of export {export_id}", timeout=timeout)


def rows_of(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), delimiter=";"))


@pytest.fixture
def small_budget(configure: Callable[..., None]) -> None:
    configure(audit_export_sync_bytes=20_000)


def test_an_export_over_the_budget_is_written_by_the_worker_and_downloaded(
    client: Client, owner: Member, table: Any, small_budget: None
) -> None:
    seed_events(owner.account_id, SEEDED)
    started = client.get("/audit/export", token=owner.token)
    assert started.status == 202, started.body
    export_id = started.body["export_id"]

    done = wait_until_done(client, owner.token, export_id)
    assert done["status"] == "ready"
    assert done["expires_at"].endswith("Z")
    with urllib.request.urlopen(done["download_url"]) as download:  # the presigned link, as a browser follows it
        text = download.read().decode("utf-8")
    rows = rows_of(text)
    assert rows[0] == ["date", "acteur_id", "acteur_email", "action", "cible_type", "cible_id", "details"]
    seeded = [row for row in rows[1:] if row[3].startswith("test.")]
    assert len(seeded) == SEEDED
    assert {row[3] for row in rows[1:]} >= {"account.signed_up", "test.seeded", "test.other"}
    assert [row[0] for row in rows[1:]] == sorted((row[0] for row in rows[1:]), reverse=True)  # newest first
    assert all(row[6].startswith('{"note": "=SUM') for row in seeded)  # a JSON cell, never a formula
    assert '« société » \\"1\\"' in seeded[-2][6]

    key = f"exports/{owner.account_id}/{export_id}.csv"
    head = boto3.client("s3").head_object(Bucket=settings().fec_bucket, Key=key)
    assert head["ServerSideEncryption"] == "aws:kms"
    item = table.get_item(Key=keys.key(keys.account_pk(owner.account_id), keys.audit_export_sk(export_id)))["Item"]
    assert item["status"] == "ready"
    assert int(item["ttl"]) > time.time()


def test_the_asynchronous_export_applies_the_filters(
    client: Client, owner: Member, table: Any, small_budget: None
) -> None:
    seed_events(owner.account_id, SEEDED)
    started = client.get("/audit/export?action=test.seeded&from=2026-01-01T00:05:00%2B00:00", token=owner.token)
    assert started.status == 202
    done = wait_until_done(client, owner.token, started.body["export_id"])
    with urllib.request.urlopen(done["download_url"]) as download:
        rows = rows_of(download.read().decode("utf-8"))[1:]
    assert rows and {row[3] for row in rows} == {"test.seeded"}
    assert min(row[0] for row in rows) >= "2026-01-01T00:05:00"


def test_the_route_decides_on_a_bounded_read_never_a_count(
    client: Client, owner: Member, table: Any, small_budget: None
) -> None:
    seed_events(owner.account_id, SEEDED)
    # The route's own calls: the worker it starts runs beside it, sooner or later as the machine allows.
    with CallCounter("ExportAuditEventsFunction") as counter:
        started = client.get("/audit/export", token=owner.token)
    assert started.status == 202
    # One 1 MB page already exceeds a 20 kB budget: the route stops there, whatever remains.
    assert counter.calls["Query"] == 1
    wait_until_done(client, owner.token, started.body["export_id"])


def test_an_export_within_the_budget_is_answered_at_once(client: Client, owner: Member, table: Any) -> None:
    seed_events(owner.account_id, 50)
    reply = client.get("/audit/export", token=owner.token)
    assert reply.status == 200
    assert reply.headers["Content-Type"].startswith("text/csv")
    assert len(rows_of(reply.raw.decode("utf-8"))) == 1 + 50 + 2  # header, seeded, signup and confirmation


def test_a_retried_worker_run_changes_nothing(client: Client, owner: Member, table: Any, small_budget: None) -> None:
    from local.emulator import invoke

    seed_events(owner.account_id, SEEDED)
    export_id = client.get("/audit/export", token=owner.token).body["export_id"]
    wait_until_done(client, owner.token, export_id)
    again = invoke("AuditExportWorkerFunction", {"account_id": owner.account_id, "export_id": export_id})
    assert again == {"rows": 0, "pages": 0}


def test_export_status_is_for_owner_and_admins_of_the_account_only(
    client: Client, owner: Member, table: Any, small_budget: None
) -> None:
    seed_events(owner.account_id, SEEDED)
    export_id = client.get("/audit/export", token=owner.token).body["export_id"]
    wait_until_done(client, owner.token, export_id)
    admin = add_member(client, owner.account_id, "admin")
    member = add_member(client, owner.account_id, "member")
    assert client.get(f"/audit/exports/{export_id}", token=admin.token).status == 200
    assert client.get(f"/audit/exports/{export_id}", token=member.token).status == 403
    assert client.get("/audit/export", token=member.token).status == 403
    assert client.get(f"/audit/exports/{export_id}").status == 401
    stranger = owner_by_signup(client)
    stolen = client.get(f"/audit/exports/{export_id}", token=stranger.token)
    assert stolen.status == 404
    assert stolen.error["code"] == "export_not_found"
    assert "download_url" not in stolen.raw.decode()


def test_an_unknown_or_malformed_export_id(client: Client, owner: Member) -> None:
    assert client.get(f"/audit/exports/{'0' * 32}", token=owner.token).status == 404
    malformed = client.get("/audit/exports/..%2F..%2Fetc", token=owner.token)
    assert (malformed.status, malformed.error["field"]) == (422, "export_id")


def test_an_expired_export_is_not_found(client: Client, owner: Member, table: Any, small_budget: None) -> None:
    seed_events(owner.account_id, SEEDED)
    export_id = client.get("/audit/export", token=owner.token).body["export_id"]
    wait_until_done(client, owner.token, export_id)
    table.update_item(
        Key=keys.key(keys.account_pk(owner.account_id), keys.audit_export_sk(export_id)),
        UpdateExpression="SET expires_at = :past",
        ExpressionAttributeValues={":past": "2020-01-01T00:00:00.000000Z"},
    )
    assert client.get(f"/audit/exports/{export_id}", token=owner.token).status == 404


@pytest.mark.parametrize("route", ["/audit", "/audit/export"])
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2026-01-01T00:00:00", "from"),  # no time zone: ambiguous
        ("to=2026-01-01T00:00:00", "to"),
        ("from=0001-01-01T00:00:00%2B14:00", "from"),  # valid, but before year 1 in UTC
        ("to=9999-12-31T23:59:59-14:00", "to"),  # after year 9999 in UTC
        ("to=0.5", "to"),  # seconds since 1970 are no ISO 8601 time
        ("from=1764316800", "from"),
        ("to=", "to"),  # API Gateway passes an empty value on
    ],
)
def test_time_filters_need_a_time_zone_and_a_time_utc_can_hold(
    client: Client, owner: Member, route: str, query: str, field: str
) -> None:
    reply = client.get(f"{route}?{query}", token=owner.token)
    assert reply.status == 422, reply.raw
    assert reply.error["field"] == field


def test_an_export_whose_worker_never_ended_reads_failed_past_its_deadline(client: Client, owner: Member) -> None:
    export_id = "f" * 32
    seed.audit_export(
        owner.account_id,
        {
            "id": export_id,
            "status": "running",
            "filters": {},
            "object_key": f"exports/{owner.account_id}/{export_id}.csv",
            "created_at": "2026-01-01T00:00:00.000000Z",
            "deadline_at": "2026-01-01T00:48:00.000000Z",  # the worker and its retries are long over
            "expires_at": "2999-01-01T00:00:00.000000Z",
        },
        2_000_000_000,
    )
    reply = client.get(f"/audit/exports/{export_id}", token=owner.token)
    assert reply.status == 200
    assert reply.body["status"] == "failed"
    assert reply.body.get("download_url") is None


def test_a_failed_export_leaves_no_partial_upload(emulator: Any) -> None:
    """The worker's upload is aborted when writing fails: no stored parts, no object (and its role may abort)."""
    from comptasecure.store import bucket
    from local import iam

    key = "exports/acc-test/failed.csv"
    with (
        iam.running_as("AuditExportWorkerFunction"),
        pytest.raises(RuntimeError),
        bucket.streamed_upload(key, "text/csv; charset=utf-8") as upload,
    ):
        upload.write(b"date;acteur_id\r\n")
        raise RuntimeError("the query failed half-way")
    s3 = boto3.client("s3")
    name = emulator.values["FecBucket"]
    assert s3.list_multipart_uploads(Bucket=name).get("Uploads", []) == []
    assert s3.list_objects_v2(Bucket=name, Prefix=key).get("KeyCount") == 0
