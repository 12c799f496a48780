from comptasecure.domain import invitations
from comptasecure.http import api_router, lambda_handler
from comptasecure.models.invitation_acceptance import AcceptedInvitation, AcceptInvitationRequest

router = api_router()


@router.post("/invitations/accept")
def accept_invitation(body: AcceptInvitationRequest) -> AcceptedInvitation:
    return AcceptedInvitation.model_validate(invitations.accept(body.token, body.password), from_attributes=True)


handler = lambda_handler(router, public=True)
