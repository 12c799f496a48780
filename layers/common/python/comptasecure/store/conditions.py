"""A single write whose condition may fail: the store says so with a type, never with ClientError.

The domain turns a failed condition into its own error (a fresh instance for each request), so no
French message and no botocore detail is decided here.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from botocore.exceptions import ClientError


class ConditionFailed(Exception):
    """The item was not in the state the write required (it was not written)."""


@contextmanager
def conditional() -> Iterator[None]:
    """Around one conditional PutItem/UpdateItem/DeleteItem: a failed condition raises ConditionFailed."""
    try:
        yield
    except ClientError as error:
        if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise
        raise ConditionFailed() from error
