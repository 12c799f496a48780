from comptasecure.domain import audit_log, profiles
from comptasecure.http import api_router, current_caller, lambda_handler
from comptasecure.models.profile import Profile, ProfileUpdate

router = api_router()


@router.patch("/me")
def update_me(body: ProfileUpdate) -> Profile:
    """Edit the caller's profile.

    Any of the profile fields (the email changes with POST /me/email); `null` clears phone, SIREN, job
    title or company size. The SIREN is checked (9 digits and its key), the phone is stored in E.164.
    """
    caller = current_caller(router)
    actor = audit_log.Actor(caller.user_id, caller.email)
    return Profile.model_validate(profiles.update(caller.account_id, actor, body.changes()), from_attributes=True)


handler = lambda_handler(router)
