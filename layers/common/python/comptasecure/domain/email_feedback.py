"""Bounces and complaints reported by SES: the address is marked on its user, so admins see it."""

from comptasecure import clock
from comptasecure.domain import audit_log
from comptasecure.store import users as user_store
from comptasecure.store.transaction import Transaction

BOUNCED = "bounced"
COMPLAINED = "complained"


def record(recipients: list[str], kind: str) -> int:
    """Mark each recipient that is one of our users; return how many were marked.

    Addresses that belong to nobody (a deleted user, an address typed in a support email) are
    ignored: the event is only about deliverability of our users' logins.
    """
    marked = 0
    for email in recipients:
        user = user_store.find_by_email(email.strip().lower())
        if user is None:
            continue
        tx = Transaction()
        user_store.mark_email_undeliverable(tx, str(user["account_id"]), str(user["id"]), kind, clock.iso(clock.now()))
        audit_log.record(
            tx,
            str(user["account_id"]),
            audit_log.SYSTEM,
            "user.email_undeliverable",
            target_type="user",
            target_id=str(user["id"]),
            details={"email": user["email"], "delivery": kind},
        )
        tx.commit()
        marked += 1
    return marked
