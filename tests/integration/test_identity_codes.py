"""Confirmation codes over time: codes per email per hour, tries per email per day, the same for every email."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from benchmarks import resend_code
from benchmarks.call_budget import recording
from comptasecure import clock
from comptasecure.domain import codes
from local import emails
from tests.helpers import Client, code_in, signup, signup_confirmed, unique_email, wait_for_email

Advance = Callable[[float], None]


@pytest.fixture
def advance(monkeypatch: pytest.MonkeyPatch, configure: Any) -> Advance:
    """The clock stands still unless the test moves it; resends are allowed back to back."""
    configure(code_resend_interval_seconds=0)
    moment = [datetime.now(UTC)]
    monkeypatch.setattr(clock, "now", lambda: moment[0])

    def move(seconds: float) -> None:
        moment[0] += timedelta(seconds=seconds)

    return move


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def confirm(client: Client, email: str, code: str) -> Any:
    return client.post("/auth/confirm", {"email": email, "code": code})


def test_at_most_five_codes_per_email_and_hour(client: Client, advance: Advance) -> None:
    email, _ = signup(client)
    wait_for_email(email)
    for _ in range(10):
        assert client.post("/auth/resend-code", {"email": email}).status == 202
    # The signup's code and four resends: the other six requests of the hour sent nothing.
    wait_for_email(email, count=codes.CODE_REQUESTS_PER_HOUR)
    advance(3600)
    assert client.post("/auth/resend-code", {"email": email}).status == 202
    latest = code_in(wait_for_email(email, count=codes.CODE_REQUESTS_PER_HOUR + 1))

    assert len(emails.sent(email)) == codes.CODE_REQUESTS_PER_HOUR + 1
    assert confirm(client, email, latest).status == 200


def test_ten_tries_a_day_whatever_the_codes(client: Client, advance: Advance) -> None:
    email, _ = signup(client)
    code = code_in(wait_for_email(email))
    assert [confirm(client, email, wrong(code)).status for _ in range(6)] == [422] * 5 + [429]
    # Each new code brings 5 fresh tries per code, but the day holds 10 in all: 5 + 3 + 2.
    for count, tries in ((2, 3), (3, 2)):
        assert client.post("/auth/resend-code", {"email": email}).status == 202
        code = code_in(wait_for_email(email, count=count))
        assert [confirm(client, email, wrong(code)).status for _ in range(tries)] == [422] * tries
    # Ten codes checked today (a refused try checks nothing): even the right code waits for tomorrow.
    locked = confirm(client, email, code)
    assert (locked.status, locked.error["code"]) == (429, "too_many_attempts")
    advance(24 * 3600)
    assert client.post("/auth/resend-code", {"email": email}).status == 202
    assert confirm(client, email, code_in(wait_for_email(email, count=4))).status == 200


def test_confirm_answers_the_same_for_unknown_pending_and_active_emails(client: Client, advance: Advance) -> None:
    pending, _ = signup(client)
    code = code_in(wait_for_email(pending))
    active, _ = signup_confirmed(client)
    unknown = unique_email("nobody")
    answers = {
        email: [(r.status, r.body) for r in (confirm(client, email, wrong(code)) for _ in range(6))]
        for email in (pending, active, unknown)
    }
    assert answers[pending] == answers[active] == answers[unknown]
    assert [status for status, _ in answers[unknown]] == [422] * 5 + [429]
    # A resend brings fresh tries to every email alike.
    for email in (pending, active, unknown):
        assert client.post("/auth/resend-code", {"email": email}).status == 202
    again = {email: confirm(client, email, "000000") for email in (active, unknown)}
    assert again[active].status == again[unknown].status == 422
    assert again[active].body == again[unknown].body


def test_resend_answers_the_same_for_every_email(client: Client, advance: Advance) -> None:
    pending, _ = signup(client)
    active, _ = signup_confirmed(client)
    replies = [client.post("/auth/resend-code", {"email": e}) for e in (pending, active, unique_email("nobody"))]
    assert {(r.status, r.raw) for r in replies} == {(202, replies[0].raw)}


def test_resend_does_the_same_work_for_every_email(client: Client, advance: Advance) -> None:
    """Issue 20 item 11: the route itself withdrew and started the workflow of a pending email only
    (median 83 ms against 34 ms for an unknown one: one request told them apart 88% of the time).
    Its AWS calls are now the same for every email: one transaction, its counters and the follow-up
    that looks the email up (the dispatcher does, where time tells no one anything)."""
    pending, _ = signup(client)
    wait_for_email(pending)
    active = signup_confirmed(client)[0]
    unknown = unique_email("nobody")
    calls = {}
    for email in (pending, active, unknown):
        with recording() as made:
            assert client.post("/auth/resend-code", {"email": email}).status == 202
        calls[email] = [call for function, call in made if function == "ResendCodeFunction"]
    assert calls[pending] == calls[active] == calls[unknown], calls
    assert calls[unknown] == ["dynamodb:TransactWriteItems"]  # counters and the follow-up, for every email
    # Only the user waiting for a code gets one, through the follow-up and the workflow.
    assert confirm(client, pending, code_in(wait_for_email(pending, count=2))).status == 200
    assert (len(emails.sent(active)), emails.sent(unknown)) == (1, [])


def test_the_time_of_a_resend_tells_nothing_of_the_email(client: Client) -> None:
    """Issue 20 item 11, measured as it was found: over 25 rounds, how often a pending email's answer
    is slower than another kind's stays near chance (0.5; it was about 0.9). The bounds hold when a
    busy machine slows every kind alike: the kinds come in a shuffled order each round."""
    timings = resend_code.measure(client, 25, resend_code.seeded_pending_emails())
    for other in ("unknown", "active"):
        chance = resend_code.superiority(timings["pending"], timings[other])
        assert 0.2 <= chance <= 0.8, (other, chance, timings)
