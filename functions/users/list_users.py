from comptasecure.domain import users
from comptasecure.http import api_router, current_caller, lambda_handler
from comptasecure.http.pagination import DEFAULT_LIMIT, Cursor, Limit, decode_cursor, encode_cursor
from comptasecure.models.users import UserPage

router = api_router()


@router.get("/users")
def list_users(limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> UserPage:
    # Every role reads the table: members pick users when they share an FEC (R-ROLE manages, not reads).
    caller = current_caller(router)
    page = users.page(caller.account_id, limit, decode_cursor(cursor))
    return UserPage(items=page["items"], next_cursor=encode_cursor(page["last_key"]), limits=page["limits"])


handler = lambda_handler(router)
