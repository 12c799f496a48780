from comptasecure.domain import invitations
from comptasecure.http import api_router, lambda_handler
from comptasecure.models.invitation_acceptance import AcceptedInvitation, AcceptInvitationRequest

router = api_router()


@router.post("/invitations/accept")
def accept_invitation(body: AcceptInvitationRequest) -> AcceptedInvitation:
    """Accept an invitation: choose a password.

    Takes the `token` of the invitation link and the password (12 to 128 characters, not a common one);
    emails a confirmation code to enter with POST /auth/confirm. A used, replaced or expired link answers
    410.
    """
    return AcceptedInvitation.model_validate(invitations.accept(body.token, body.password), from_attributes=True)


handler = lambda_handler(router, public=True)
