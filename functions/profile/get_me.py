from comptasecure.domain import profiles
from comptasecure.http import api_router, current_caller, lambda_handler
from comptasecure.models.profile import Profile

router = api_router()


@router.get("/me")
def get_me() -> Profile:
    """Read the caller's profile.

    The fields given at signup or edited since, the caller's role on the account, and whether MFA is on.
    """
    caller = current_caller(router)
    return Profile.model_validate(profiles.get(caller.account_id, caller.user_id), from_attributes=True)


handler = lambda_handler(router)
