"""Security notices (SPEC R-MFA-6): the user is told by email of every change to their security settings.

Each notice is an outbox follow-up of the change's own transaction (never sent after the commit), so
it goes once the change is made, and only then. It says what changed, when, from which device and
address (the request's, as API Gateway saw it) and what to do if it was not them
(``emails/templates.py`` ``security_changed``, whose docstring lists the changes it knows).
"""

from collections.abc import Mapping
from typing import Any, Final

from comptasecure import clock
from comptasecure.domain import follow_ups
from comptasecure.domain.user_sessions import Device
from comptasecure.store.transaction import Transaction

MFA_ENABLED: Final = "mfa_enabled"
MFA_DISABLED: Final = "mfa_disabled"
PASSKEY_ADDED: Final = "passkey_added"
PASSKEY_REMOVED: Final = "passkey_removed"
DEVICE_SHOWN_LENGTH = 120


def where_from(device: Device) -> dict[str, str | None]:
    """The notice's parameters saying when and where from: now, the device as a person names it (or
    the start of its User-Agent), and its address."""
    shown = device.description or device.user_agent[:DEVICE_SHOWN_LENGTH] or None
    return {"at": clock.iso(clock.now()), "device": shown, "ip": device.ip or None}


def security_changed(
    tx: Transaction,
    account_id: str,
    user: Mapping[str, Any],
    change: str,
    device: Device,
    *,
    detail: str | None = None,
) -> None:
    """Tell ``user`` (at their address as read) of ``change``, in the change's transaction."""
    follow_ups.email(
        tx,
        account_id,
        str(user["email"]),
        "security_changed",
        first_name=user.get("first_name"),
        change=change,
        detail=detail,
        **where_from(device),
    )
