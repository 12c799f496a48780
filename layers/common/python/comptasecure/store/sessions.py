"""Sessions: one per login, holding the hash of its refresh token. Deleting one ends it at once."""

from typing import Any, cast

from boto3.dynamodb.conditions import Key

from comptasecure import aws
from comptasecure.errors import DomainError
from comptasecure.store import keys, pages
from comptasecure.store.batch import get_many
from comptasecure.store.conditions import conditional
from comptasecure.store.records import Account, Session, User
from comptasecure.store.transaction import Transaction


def put(account_id: str, session: Session) -> None:
    item: dict[str, Any] = {
        **keys.key(keys.account_pk(account_id), keys.session_sk(session["user_id"], session["session_id"])),
        "kind": "session",
    }
    item.update(session)
    aws.table().put_item(Item=item)


def get_with_user(account_id: str, user_id: str, session_id: str) -> tuple[User | None, Session | None]:
    """The user and the session in one round trip: the authorizer's only read."""
    pk = keys.account_pk(account_id)
    wanted = [keys.key(pk, keys.user_sk(user_id)), keys.key(pk, keys.session_sk(user_id, session_id))]
    user: User | None = None
    session: Session | None = None
    # Keys DynamoDB leaves unprocessed (throttling) are retried: a partial answer is not a gone session.
    for item in get_many(wanted, consistent=True):
        if item["SK"].startswith("USER#"):
            user = cast(User, item)
        else:
            session = cast(Session, item)
    return user, session


def get_for_refresh(
    account_id: str, user_id: str, session_id: str
) -> tuple[User | None, Session | None, Account | None]:
    """The user, the session and their account in one round trip: what a refresh decides on."""
    pk = keys.account_pk(account_id)
    wanted = [
        keys.key(pk, keys.user_sk(user_id)),
        keys.key(pk, keys.session_sk(user_id, session_id)),
        keys.key(pk, keys.ACCOUNT_META),
    ]
    found = {str(item["SK"]): item for item in get_many(wanted, consistent=True)}
    return (
        cast(User | None, found.get(wanted[0]["SK"])),
        cast(Session | None, found.get(wanted[1]["SK"])),
        cast(Account | None, found.get(wanted[2]["SK"])),
    )


def rotate(account_id: str, user_id: str, session_id: str, old_hash: str, fields: dict[str, str]) -> None:
    """Swap the refresh token hash only if the presented one is still current; ConditionFailed for a
    token already rotated away (reused)."""
    names = {f"#f{i}": name for i, name in enumerate(fields)}
    values = {f":v{i}": value for i, value in enumerate(fields.values())}
    values[":old"] = old_hash
    with conditional():
        aws.table().update_item(
            Key=keys.key(keys.account_pk(account_id), keys.session_sk(user_id, session_id)),
            UpdateExpression="SET " + ", ".join(f"#f{i} = :v{i}" for i in range(len(fields))),
            ConditionExpression="refresh_hash = :old",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )


def delete(account_id: str, user_id: str, session_id: str) -> None:
    aws.table().delete_item(Key=keys.key(keys.account_pk(account_id), keys.session_sk(user_id, session_id)))


def delete_if_current(account_id: str, user_id: str, session_id: str, refresh_hash: str) -> None:
    """End the session only if this refresh token is its current one (one conditional delete, no read);
    ConditionFailed otherwise."""
    with conditional():
        aws.table().delete_item(
            Key=keys.key(keys.account_pk(account_id), keys.session_sk(user_id, session_id)),
            ConditionExpression="refresh_hash = :presented",
            ExpressionAttributeValues={":presented": refresh_hash},
        )


def live_session_ids(account_id: str, user_id: str, epoch: int) -> list[str]:
    """The ids of the user's sessions of this epoch (the others are already refused)."""
    return [str(item["session_id"]) for item in _query(account_id, keys.session_sk(user_id), *_of_epoch(epoch))]


def _of_epoch(epoch: int) -> tuple[str, dict[str, Any]]:
    if epoch == 0:
        return "attribute_not_exists(epoch) OR epoch = :epoch", {":epoch": 0}
    return "epoch = :epoch", {":epoch": epoch}


def session_ids(account_id: str, user_id: str) -> list[str]:
    ids: list[str] = []
    query: dict[str, Any] = {
        "KeyConditionExpression": Key("PK").eq(keys.account_pk(account_id))
        & Key("SK").begins_with(keys.session_sk(user_id)),
        "ProjectionExpression": "session_id",
    }
    while True:
        response = aws.table().query(**query)
        ids.extend(str(item["session_id"]) for item in response.get("Items", []))
        if "LastEvaluatedKey" not in response:
            return ids
        query["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def page(
    account_id: str, user_id: str, limit: int, start_key: dict[str, Any] | None
) -> tuple[list[Session], dict[str, Any] | None]:
    """One page of a user's sessions, newest first (session ids start with their creation time)."""
    pk, prefix = keys.account_pk(account_id), keys.session_sk(user_id)
    query: dict[str, Any] = {
        "KeyConditionExpression": Key("PK").eq(pk) & Key("SK").begins_with(prefix),
        "ProjectionExpression": "session_id, created_at, last_used_at, user_agent, ip, #ttl, epoch",
        "ExpressionAttributeNames": {"#ttl": "ttl"},
        "ScanIndexForward": False,
        "Limit": limit,
    }
    if start_key is not None:
        pages.check_start_key(start_key, pk, prefix)  # only this user's sessions
        query["ExclusiveStartKey"] = start_key
    response = aws.table().query(**query)
    return cast(list[Session], response.get("Items", [])), response.get("LastEvaluatedKey")


def delete_existing(
    tx: Transaction, account_id: str, user_id: str, session_id: str, *, on_missing: DomainError
) -> None:
    """Delete this user's session in the caller's transaction; a session that is not theirs is ``on_missing``."""
    tx.delete(
        keys.key(keys.account_pk(account_id), keys.session_sk(user_id, session_id)),
        condition="attribute_exists(PK)",
        on_condition_failed=on_missing,
    )


def delete_in(tx: Transaction, account_id: str, user_id: str, session_id: str) -> None:
    tx.delete(keys.key(keys.account_pk(account_id), keys.session_sk(user_id, session_id)))


def delete_all(account_id: str, user_id: str) -> None:
    """End every session of a user, in batches (a removed user's tokens are already refused)."""
    _delete_sessions(account_id, user_id, session_ids(account_id, user_id))


def carry_over(
    tx: Transaction, account_id: str, user_id: str, session_id: str, epoch: int, *, mfa: bool, on_missing: DomainError
) -> None:
    """The caller's session lives on into the user's new epoch (``mfa``: the change proved a second
    factor); ``on_missing`` if it ended meanwhile."""
    expression = "SET epoch = :epoch, mfa = :mfa" if mfa else "SET epoch = :epoch"
    tx.update(
        keys.key(keys.account_pk(account_id), keys.session_sk(user_id, session_id)),
        expression,
        condition="attribute_exists(PK)",
        values={":epoch": epoch, **({":mfa": True} if mfa else {})},
        on_condition_failed=on_missing,
    )


def delete_older_than(account_id: str, user_id: str, epoch: int) -> int:
    """Delete the user's sessions opened under an epoch before ``epoch`` (already refused); returns how many."""
    ended = [
        item["session_id"]
        for item in _query(
            account_id, keys.session_sk(user_id), "attribute_not_exists(epoch) OR epoch < :epoch", {":epoch": epoch}
        )
    ]
    _delete_sessions(account_id, user_id, ended)
    return len(ended)


def _query(account_id: str, prefix: str, condition: str, values: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    query: dict[str, Any] = {
        "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
        "FilterExpression": condition,
        "ProjectionExpression": "user_id, session_id",
        "ExpressionAttributeValues": {":pk": keys.account_pk(account_id), ":prefix": prefix, **values},
    }
    while True:
        response = aws.table().query(**query)
        found.extend(response.get("Items", []))
        if "LastEvaluatedKey" not in response:
            return found
        query["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def _delete_sessions(account_id: str, user_id: str, session_ids: list[str]) -> None:
    with aws.table().batch_writer() as batch:
        for session_id in session_ids:
            batch.delete_item(Key=keys.key(keys.account_pk(account_id), keys.session_sk(user_id, session_id)))
