"""The identity routes under attack: parallel guessing, enumeration, caching of tokens, old hashes."""

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from argon2 import PasswordHasher

from comptasecure.domain import passwords
from tests.cheap_hashing import held_verifications
from tests.helpers import PASSWORD, Client, owner_of_new_account, signup_confirmed, unique_email

WRONG = "not the password at all"


def login(client: Client, email: str, password: str = WRONG) -> Any:
    return client.post("/auth/login", {"email": email, "password": password})


def test_fifty_parallel_wrong_passwords_lock_the_login(client: Client) -> None:
    email, tokens = signup_confirmed(client)
    with ThreadPoolExecutor(max_workers=50) as pool:
        statuses = list(pool.map(lambda _: login(client, email).status, range(50)))
    assert set(statuses) <= {401, 429}
    assert login(client, email, PASSWORD).status == 429
    events = client.get("/audit?action=user.login_locked", token=tokens["access_token"]).body["items"]
    assert len(events) == 1


def test_the_right_password_is_refused_once_ten_wrong_ones_are_in_flight(client: Client) -> None:
    """Issue 20 item 1: 50 logins at once, 49 wrong passwords and the right one last, answered
    {401: 48, 429: 1, 200: 1}: the lock was read before the hash was checked, so every request in
    flight was checked (92 of 100 wrong ones at once) and the right password got tokens. Each wrong
    verification is held here until the right password has its answer: ten are surely in flight."""
    owner = owner_of_new_account(client)
    with held_verifications(WRONG) as held, ThreadPoolExecutor(max_workers=50) as pool:
        wrong = [pool.submit(login, client, owner.email) for _ in range(49)]
        held.wait_for(10)
        right = login(client, owner.email, PASSWORD)
        held.release()
        statuses = Counter(future.result().status for future in wrong)
    assert right.status == 429, right.body
    assert right.error["code"] == "too_many_attempts"
    assert statuses == {401: 10, 429: 39}
    assert held.checked == 10
    # The ten wrong passwords locked the login: the right one waits for the lock's end as well.
    assert login(client, owner.email, PASSWORD).status == 429
    events = owner.client.get("/audit?action=user.login_locked").body["items"]
    assert [event["details"]["failed_attempts"] for event in events] == [10]


def test_a_locked_unknown_email_answers_as_a_locked_known_one(client: Client) -> None:
    known, _ = signup_confirmed(client)
    unknown = unique_email("nobody")
    known_replies = [login(client, known) for _ in range(11)]
    unknown_replies = [login(client, unknown) for _ in range(11)]
    assert [r.status for r in known_replies] == [r.status for r in unknown_replies] == [401] * 10 + [429]
    assert [r.body for r in known_replies] == [r.body for r in unknown_replies]
    # The lock is answered whatever the password: the right one tells nothing either.
    assert login(client, known, PASSWORD).body == login(client, unknown, PASSWORD).body


def test_a_successful_login_ends_the_run_of_failures(client: Client) -> None:
    email, _ = signup_confirmed(client)
    for _ in range(9):
        assert login(client, email).status == 401
    assert login(client, email, PASSWORD).status == 200
    assert [login(client, email).status for _ in range(10)] == [401] * 10
    assert login(client, email).status == 429


def test_token_answers_are_never_cached(client: Client) -> None:
    email, _ = signup_confirmed(client)
    logged_in = login(client, email, PASSWORD)
    refreshed = client.post("/auth/refresh", {"refresh_token": logged_in.body["refresh_token"]})
    for reply in (logged_in, refreshed):
        assert reply.status == 200
        assert reply.headers["Cache-Control"] == "no-store"
        assert reply.headers["Pragma"] == "no-cache"


def test_a_hash_made_with_other_parameters_still_logs_in_and_is_rehashed(client: Client, table: Any) -> None:
    email, _ = signup_confirmed(client)
    link = table.get_item(Key={"PK": f"EMAIL#{email}", "SK": "EMAIL"})["Item"]
    key = {"PK": f"ACCOUNT#{link['account_id']}", "SK": f"USER#{link['user_id']}"}
    legacy = PasswordHasher(time_cost=1, memory_cost=64, parallelism=4).hash(PASSWORD)
    table.update_item(Key=key, UpdateExpression="SET password_hash = :h", ExpressionAttributeValues={":h": legacy})
    assert login(client, email, PASSWORD).status == 200
    rehashed = table.get_item(Key=key)["Item"]["password_hash"]
    assert rehashed != legacy
    assert not passwords.needs_rehash(rehashed)
    assert login(client, email, PASSWORD).status == 200
