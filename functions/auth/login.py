from aws_lambda_powertools.event_handler import Response

from comptasecure.domain import identity
from comptasecure.http import api_router, lambda_handler
from comptasecure.http.device import device_of
from comptasecure.http.secrets import no_store
from comptasecure.models.login import LoginRequest, MfaChallengeResponse, challenge_response
from comptasecure.models.tokens import TokenResponse

router = api_router()


@router.post("/auth/login")
def login(body: LoginRequest) -> Response[TokenResponse | MfaChallengeResponse]:
    """Log in with email and password.

    Answers the tokens, or, when the user has MFA on, `{mfa_required, mfa_token}` to finish with
    POST /auth/mfa; when the account requires MFA and the user has none,
    `{mfa_enrollment_required, mfa_token}` to enroll with POST /auth/mfa/enroll. The access token lasts 15
    minutes (renew it with POST /auth/refresh). Ten wrong passwords in a row lock the email's login for
    15 minutes; an unknown email answers exactly as a wrong password.
    """
    session = identity.login(body.email, body.password, device_of(router))
    if not isinstance(session, identity.Session):  # MFA: a second step before any token
        return no_store(challenge_response(session))
    return no_store(
        TokenResponse(
            access_token=session.access_token, refresh_token=session.refresh_token, expires_in=session.expires_in
        )
    )


handler = lambda_handler(router, public=True)
