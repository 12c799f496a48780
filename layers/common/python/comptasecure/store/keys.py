"""Single-table key design, in one place: every item kind once, then why it is so.

| item                     | PK                    | SK                             | holds                            |
|--------------------------|-----------------------|--------------------------------|----------------------------------|
| account                  | ACCOUNT#<aid>         | META                           | records.Account, group_count     |
| user                     | ACCOUNT#<aid>         | USER#<uid>                     | records.User                     |
| session (refresh token)  | ACCOUNT#<aid>         | SESSION#<uid>#<sid>            | records.Session                  |
| one-time code            | ACCOUNT#<aid>         | CODE#<uid>#<purpose>           | code_hash, attempts, task_token  |
| invitation link          | ACCOUNT#<aid>         | INVITATION#<uid>               | token_hash, task_token, expiry   |
| audit event              | ACCOUNT#<aid>         | AUDIT#<iso time>#<eid>         | actor, action, target, details   |
| audit export (async)     | ACCOUNT#<aid>         | AUDIT_EXPORT#<export id>       | the export's state and result    |
| group                    | ACCOUNT#<aid>         | GROUP#<gid>                    | records.Group                    |
| group name claim         | ACCOUNT#<aid>         | GROUPNAME#<casefolded name>    | group_id                         |
| file shared with a group | ACCOUNT#<aid>         | GROUPFEC#<gid>#<fid>           | shared_by, shared_at             |
| FEC file                 | ACCOUNT#<aid>         | FEC#<fid>                      | records.FecFile                  |
| FEC access grant         | ACCOUNT#<aid>         | GRANT#<uid>#<fid>              | granted_by, granted_at           |
| credit balance           | ACCOUNT#<aid>         | CREDIT#<type>                  | granted, consumed, remaining     |
| credit movement          | ACCOUNT#<aid>         | CREDIT_HISTORY#<iso time>#<id> | one grant or consumption         |
| analysis's consumption   | ACCOUNT#<aid>         | CONSUMPTION#<analysis_id>      | what it consumed (written once)  |
| analyses of a month      | ACCOUNT#<aid>         | ANALYSES#<YYYY-MM>             | analyses (the month's counter)   |
| invoice (Stripe)         | ACCOUNT#<aid>         | INVOICE#<iso created>#<in_id>  | the invoice as Stripe sent it    |
| last Stripe event        | ACCOUNT#<aid>         | STRIPE_VERSION#<object id>     | its created time                 |
| follow-up owed (outbox)  | ACCOUNT#<aid>         | OUTBOX#<time-ordered id>       | follow_up, payload (JSON), due   |
| firm information         | ACCOUNT#<aid>         | CABINET                        | one attribute per field          |
| passkey (as its user sees it) | ACCOUNT#<aid>    | PASSKEY#<uid>#<pid>            | records.Passkey                  |
| FEC folder               | ACCOUNT#<aid>         | FOLDER#<folder key>            | records.Folder                   |
| file of a folder         | ACCOUNT#<aid>         | FOLDERFEC#<folder key>#<fid>   | fec_id                           |
| folder shared with a group | ACCOUNT#<aid>       | GROUPFEC#<gid>#FOLDER#<folder key> | folder, shared_by, shared_at |
| CRM of an analysis       | ACCOUNT#<aid>         | CRM#<analysis_id>              | one attribute per field          |
| email -> user            | EMAIL#<email>         | EMAIL                          | account_id, user_id              |
| login attempts           | EMAIL#<email>         | LOGIN                          | failed_logins, locked_until, ttl |
| confirmation tries       | EMAIL#<email>         | CONFIRMATION#<day>             | tries, day_tries, ttl            |
| code requests            | EMAIL#<email>         | CODE_REQUESTS#<hour>           | requests, requested_at, ttl      |
| email change codes       | EMAIL#<new email>     | NEW_EMAIL_CODES#<hour>         | count, ttl                       |
| email change tries       | EMAIL#<new email>     | NEW_EMAIL_TRIES#<day>          | count, ttl                       |
| user's new email codes   | ACCOUNT#<aid>         | NEW_EMAIL_CODES#<uid>#<hour>   | count, ttl                       |
| user's new email tries   | ACCOUNT#<aid>         | NEW_EMAIL_TRIES#<uid>#<day>    | count, ttl                       |
| passkey credential       | CREDENTIAL#<pid>      | CREDENTIAL                     | records.Credential               |
| WebAuthn challenge       | WEBAUTHN_CHALLENGE#<c> | WEBAUTHN_CHALLENGE            | records.Challenge, ttl           |
| Stripe customer          | STRIPE_CUSTOMER#<cus> | STRIPE_CUSTOMER                | account_id                       |
| Stripe event applied     | STRIPE_EVENT          | <Powertools idempotency key>   | Powertools' record, ttl          |
| analysis claim (legacy)  | ANALYSIS#<id>         | ANALYSIS                       | account_id; no longer written    |

What each item holds is named beside it, or by its record in store/records.py.

Every item of an account lives in the account's partition, so a Query or GetItem on
``ACCOUNT#<id>`` can never reach another tenant's data. Items that must be found before the
account is known (an email at login, a Stripe customer in a webhook) have their own partition.

Users and groups: a user item holds ``group_ids`` (a string set, absent when empty) and a group
item ``member_ids``: both sides of a membership change in one transaction. Group names are read
from the group items, so a rename never leaves a stale name anywhere; a group's ``version`` moves
with every change, so an edit prepared from an older read is refused. A user carries its role, its
``status`` (``invited``, ``invitation_expired``, ``pending_confirmation``, ``active``) and, while
invited, ``invitation_expires_at`` (a copy of its link's expiry), so the users table computes every
status from one Query on ``begins_with(SK, "USER#")``. The account's ``user_count`` counts every
user, invited ones included: it is the quota's and "alone on the account"'s single guard;
``group_count`` is the groups quota's.

Firm information and CRMs keep each field as its own attribute, so "fill only an empty field" is a
condition on that one attribute. A CRM is the saving account's own: two accounts using one analysis
id each have theirs. The analysis claim items (first account to save a CRM) are no longer written;
those already written are removed with their account.

Account security: a session's id starts with its creation time in milliseconds (hex), so a Query on
``SESSION#<uid>#`` backwards lists a user's sessions newest first; ``last_used_at`` moves at refresh,
never by the authorizer. MFA lives on the user item (``mfa_enabled``, the sealed ``totp_secret``,
``totp_last_step``, ``recovery_code_hashes``; see store/mfa.py) and ``require_mfa`` on META. An
email change keeps ``pending_email`` on the user until its code (a ``CODE#<uid>#email_change`` item)
moves the ``EMAIL#`` claim. The counters in the email's partition exist whether or not a user has
the email, so an unknown email costs and answers as a known one; each key names its window.
``LOGIN`` counts attempts as they start (``failed_logins``: failed, or still being checked, with the
last one's ``reserved_at``), before the password is checked.

GSI ``ByExpiry`` (sparse): ``expiry_kind`` / ``expires_at`` on codes and invitations, so the
cleanup job queries exactly what has expired; and on outbox items, under their due time, so it finds
a follow-up still owed long after its change (its stream delivery failed) and drives it again.

Outbox (store/outbox.py, R-REL-1): what must follow a change (an email, a workflow start or stop,
the removal of a deleted user's sessions and grants, an account's purge, an export) is an item of
the change's own transaction, in the account's partition; the table's stream carries it to the
dispatcher, which deletes it once done. Sessions carry the ``session_epoch`` their user had when
they opened: bumping the user's epoch (one attribute of the change's own write) ends them all.

Passkeys (R-MFA-5): a passkey's id (``<pid>``) is the SHA-256 of its WebAuthn credential id, in hex:
fixed-length, safe in a key and a path, whatever the authenticator's id. Its ``CREDENTIAL#<pid>``
item, in a partition of its own like ``EMAIL#``, is what a passkey login finds in one GetItem before
the account is known: the account and user, the public key (COSE) and the signature counter. The
``PASSKEY#<uid>#<pid>`` item in the account's partition is the user's view (name, dates), listed by
one Query; both are written and removed in one transaction, with the user's ``passkey_count``. A
WebAuthn challenge is an item of its own (``<c>``: the challenge, base64url), living five minutes
(``expires_at``, and a TTL that tidies it), naming its purpose (``registration``, bound to its user,
or ``authentication``): it is spent by a conditional delete in the transaction that uses it.

Folders (R-FOL-1): a folder is named by the files of the account that carry it; its key (``<folder
key>``) is the SHA-256 of its name in hex, so no name can reach into another folder's keys. Its
``FOLDER#`` item counts its files (``fec_count``) and holds ``user_ids``, the users it is shared with,
and ``share_version``, moved by every share: a file registered in the folder grants those users in
its own transaction, conditioned on ``share_version`` (a share committed meanwhile makes it read
again), and a share whose grants go in its own transaction is conditioned on ``fec_count`` (a file
registered meanwhile makes it read again). A folder share is materialised as ``GRANT#`` items, one per
user and file, so "what I may open" stays one Query on my grants whatever the number of folders
shared with me. A folder shared with a group is recorded beside the files shared with it
(``GROUPFEC#<gid>#FOLDER#<folder key>``): one Query reads what a group was given (R-GRP-3).

Billing: the Stripe customer item lets a webhook find its account with one GetItem. A credit
balance keeps ``granted``, ``consumed`` and ``remaining`` so a consumption is one conditional update
(``remaining >= :n``); DynamoDB conditions cannot subtract. ``STRIPE_VERSION`` remembers the
``created`` time of the last Stripe event applied to an object, so an older event arriving late is
ignored.
"""

ACCOUNT_META = "META"
EMAIL_SK = "EMAIL"
CABINET_SK = "CABINET"
ANALYSIS_SK = "ANALYSIS"
EXPIRY_INDEX = "ByExpiry"
STRIPE_CUSTOMER_SK = "STRIPE_CUSTOMER"
CREDENTIAL_SK = "CREDENTIAL"
CHALLENGE_SK = "WEBAUTHN_CHALLENGE"
STRIPE_EVENT_PK = "STRIPE_EVENT"
CREDIT_PREFIX = "CREDIT#"
CREDIT_HISTORY_PREFIX = "CREDIT_HISTORY#"
INVOICE_PREFIX = "INVOICE#"
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


def group_sk(group_id: str = "") -> str:
    return f"GROUP#{group_id}"


def group_name_sk(name: str) -> str:
    return f"GROUPNAME#{name.casefold()}"


def fec_sk(fec_id: str = "") -> str:
    return f"FEC#{fec_id}"


def passkey_sk(user_id: str, passkey_id: str = "") -> str:
    return f"PASSKEY#{user_id}#{passkey_id}"


def credential_pk(passkey_id: str) -> str:
    return f"CREDENTIAL#{passkey_id}"


def challenge_pk(challenge: str) -> str:
    return f"WEBAUTHN_CHALLENGE#{challenge}"


def folder_sk(folder_key: str = "") -> str:
    return f"FOLDER#{folder_key}"


def folder_fec_sk(folder_key: str, fec_id: str = "") -> str:
    return f"FOLDERFEC#{folder_key}#{fec_id}"


def group_folder_sk(group_id: str, folder_key: str = "") -> str:
    return f"GROUPFEC#{group_id}#FOLDER#{folder_key}"


def grant_sk(user_id: str, fec_id: str = "") -> str:
    return f"GRANT#{user_id}#{fec_id}"


def audit_sk(at: str, event_id: str = "") -> str:
    return f"AUDIT#{at}#{event_id}"


def audit_export_sk(export_id: str) -> str:
    return f"AUDIT_EXPORT#{export_id}"


def credit_sk(credit_type: str) -> str:
    return f"{CREDIT_PREFIX}{credit_type}"


def credit_history_sk(at: str, movement_id: str) -> str:
    return f"{CREDIT_HISTORY_PREFIX}{at}#{movement_id}"


def consumption_sk(analysis_id: str) -> str:
    return f"CONSUMPTION#{analysis_id}"


def analyses_month_sk(month: str) -> str:
    return f"ANALYSES#{month}"


def group_fec_sk(group_id: str, fec_id: str = "") -> str:
    return f"GROUPFEC#{group_id}#{fec_id}"


def invoice_sk(created: str, invoice_id: str) -> str:
    return f"{INVOICE_PREFIX}{created}#{invoice_id}"


def stripe_version_sk(object_id: str) -> str:
    return f"STRIPE_VERSION#{object_id}"


def stripe_customer_pk(customer_id: str) -> str:
    return f"STRIPE_CUSTOMER#{customer_id}"


def outbox_sk(outbox_id: str) -> str:
    return f"OUTBOX#{outbox_id}"


def crm_sk(analysis_id: str) -> str:
    return f"CRM#{analysis_id}"


def analysis_pk(analysis_id: str) -> str:
    return f"ANALYSIS#{analysis_id}"


def email_pk(email: str) -> str:
    return f"EMAIL#{email.lower()}"


def key(pk: str, sk: str) -> dict[str, str]:
    return {"PK": pk, "SK": sk}
