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
| firm information    | ACCOUNT#<aid>       | CABINET                      |
| CRM of an analysis  | ACCOUNT#<aid>       | CRM#<analysis_id>            |
| email -> user       | EMAIL#<email>       | EMAIL                        |
| analysis -> account | ANALYSIS#<id>       | ANALYSIS                     |

Firm information and CRMs keep each field as its own attribute, absent when empty, so "fill only
an empty field" is a condition on that one attribute. The analysis item records which account
first saved a CRM for an analysis id, so another account's analysis is a 404.

GSI ``ByExpiry`` (sparse): ``expiry_kind`` / ``expires_at`` on codes and invitations, so the
cleanup job queries exactly what has expired.
"""

ACCOUNT_META = "META"
EMAIL_SK = "EMAIL"
CABINET_SK = "CABINET"
ANALYSIS_SK = "ANALYSIS"
EXPIRY_INDEX = "ByExpiry"


def account_pk(account_id: str) -> str:
    return f"ACCOUNT#{account_id}"


def user_sk(user_id: str) -> str:
    return f"USER#{user_id}"


def session_sk(user_id: str, session_id: str = "") -> str:
    return f"SESSION#{user_id}#{session_id}"


def code_sk(user_id: str, purpose: str) -> str:
    return f"CODE#{user_id}#{purpose}"


def invitation_sk(user_id: str) -> str:
    return f"INVITATION#{user_id}"


def audit_sk(at: str, event_id: str = "") -> str:
    return f"AUDIT#{at}#{event_id}"


def crm_sk(analysis_id: str) -> str:
    return f"CRM#{analysis_id}"


def analysis_pk(analysis_id: str) -> str:
    return f"ANALYSIS#{analysis_id}"


def email_pk(email: str) -> str:
    return f"EMAIL#{email.lower()}"


def key(pk: str, sk: str) -> dict[str, str]:
    return {"PK": pk, "SK": sk}
