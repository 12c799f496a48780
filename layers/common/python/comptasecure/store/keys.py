"""Single-table key design, in one place.

Every item of an account lives in the account's partition, so a Query or GetItem on
``ACCOUNT#<id>`` can never reach another tenant's data. Items that must be found before the
account is known (an email at login) have their own partition.

| item                | PK                  | SK                           |
|---------------------|---------------------|------------------------------|
| account             | ACCOUNT#<aid>       | META                         |
| user                | ACCOUNT#<aid>       | USER#<uid>                   |
| session (refresh)   | ACCOUNT#<aid>       | SESSION#<uid>#<sid>          |
| one-time code       | ACCOUNT#<aid>       | CODE#<uid>#<purpose>         |
| invitation link     | ACCOUNT#<aid>       | INVITATION#<uid>             |
| audit event         | ACCOUNT#<aid>       | AUDIT#<iso time>#<eid>       |
| email -> user       | EMAIL#<email>       | EMAIL                        |

A user item carries its role, its ``status`` (``invited``, ``invitation_expired``,
``pending_confirmation``, ``active``), ``groups`` as a list of ``{id, name}`` and, while invited,
``invitation_expires_at`` (a copy of its link's expiry) so the users table computes every status
from one Query on ``begins_with(SK, "USER#")``. The account's ``user_count`` on META counts every
user, invited ones included: it is the quota's and "alone on the account"'s single guard.

GSI ``ByExpiry`` (sparse): ``expiry_kind`` / ``expires_at`` on codes and invitations, so the
cleanup job queries exactly what has expired.
"""

ACCOUNT_META = "META"
EMAIL_SK = "EMAIL"
EXPIRY_INDEX = "ByExpiry"
ACCOUNT_PREFIX = "ACCOUNT#"
USER_PREFIX = "USER#"
INVITATION_PREFIX = "INVITATION#"


def account_pk(account_id: str) -> str:
    return f"{ACCOUNT_PREFIX}{account_id}"


def account_id_of(pk: str) -> str:
    return pk.removeprefix(ACCOUNT_PREFIX)


def user_sk(user_id: str = "") -> str:
    return f"{USER_PREFIX}{user_id}"


def session_sk(user_id: str, session_id: str = "") -> str:
    return f"SESSION#{user_id}#{session_id}"


def code_sk(user_id: str, purpose: str) -> str:
    return f"CODE#{user_id}#{purpose}"


def invitation_sk(user_id: str) -> str:
    return f"{INVITATION_PREFIX}{user_id}"


def user_id_of_invitation(sk: str) -> str:
    return sk.removeprefix(INVITATION_PREFIX)


def audit_sk(at: str, event_id: str = "") -> str:
    return f"AUDIT#{at}#{event_id}"


def email_pk(email: str) -> str:
    return f"EMAIL#{email.lower()}"


def key(pk: str, sk: str) -> dict[str, str]:
    return {"PK": pk, "SK": sk}
