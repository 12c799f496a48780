"""What the OpenAPI document says that the handlers' types cannot: the error body and who answers what.

scripts/openapi.py derives from the code whatever the code shows, for every route alike: the success
status and media type (the handler's `Response(...)`), 401 and the bearer scheme (the template's
public flag), 403 (a role check), 404 (an id in the path), 400/415/422 (a JSON body or query
parameters). Each of those answers is declared once below. What no code shape reveals, a route's own
domain errors (409 `email_taken`, 410, 429…) and the bodies a handler reads raw (CSV, Stripe events),
is listed per route in ROUTES, so the handlers stay a few lines and carry no documentation.
"""

from dataclasses import dataclass, field
from typing import Any

from comptasecure.errors import Forbidden, NotFound, TooLarge, TooManyAttempts, Unauthorized

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Every 4xx and 5xx answer. `message` is a French sentence for a person; `code` is stable.",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$", "description": "stable, snake_case"},
                "message": {"type": "string", "description": "in French, for the person using the front end"},
                "field": {"type": "string", "description": "the offending field, when there is one"},
            },
        }
    },
}

BEARER_SCHEME: dict[str, Any] = {
    "type": "http",
    "scheme": "bearer",
    "bearerFormat": "JWT",
    "description": "The `access_token` of POST /auth/login, /auth/mfa or /auth/refresh.",
}


@dataclass(frozen=True)
class Failure:
    """One documented error answer, shown as an example of the error body."""

    status: int
    code: str
    message: str
    field: str | None = None

    def body(self) -> dict[str, Any]:
        error = {"code": self.code, "message": self.message}
        return {"error": error | {"field": self.field}} if self.field else {"error": error}


# One answer per status kind, with the sentence every route of that kind shares.
DESCRIPTIONS = {
    400: "Malformed request: a body that is not JSON, or a field of the wrong type.",
    401: "No token, or a token that is invalid, expired or of an ended session.",
    403: "The caller's role does not allow this.",
    404: "Not found in the caller's account (another account's ids are 404 too).",
    409: "The current state does not allow this.",
    410: "The link is no longer valid.",
    413: "The body is too large.",
    415: "The body is not sent as application/json.",
    422: "Well-formed but invalid: `field` names the value to correct.",
    429: "Too many attempts: wait, or ask for a new code.",
    502: "The payment provider did not answer.",
}
MALFORMED = Failure(400, "invalid_json", "Le corps de la requête n'est pas un JSON valide.")
WRONG_TYPE = Failure(400, "wrong_type", "Le champ « limit » n'a pas le bon type.", "limit")
UNAUTHENTICATED = Failure(401, Unauthorized.code, Unauthorized.message)
FORBIDDEN = Failure(403, Forbidden.code, Forbidden.message)
NOT_FOUND = Failure(404, NotFound.code, NotFound.message)
UNSUPPORTED_MEDIA_TYPE = Failure(
    415, "unsupported_media_type", "Le corps de la requête doit être envoyé en application/json."
)
INVALID = Failure(422, "missing_field", "Le champ « email » est obligatoire.", "email")

# Route-specific errors, named by their code (messages as the domain words them).
EMAIL_TAKEN = Failure(409, "email_taken", "Cette adresse email est déjà utilisée.", "email")
WEAK_PASSWORD = Failure(
    422, "weak_password", "Ce mot de passe est trop courant ou trop simple. Choisissez-en un autre.", "password"
)
INVALID_CODE = Failure(422, "invalid_code", "Ce code n'est pas valide.", "code")
EXPIRED_CODE = Failure(422, "expired_code", "Ce code a expiré. Demandez un nouveau code de validation.", "code")
TOO_MANY_ATTEMPTS = Failure(429, TooManyAttempts.code, TooManyAttempts.message)
INVALID_CREDENTIALS = Failure(401, "invalid_credentials", "Email ou mot de passe incorrect.")
NOT_CONFIRMED = Failure(403, "not_confirmed", "Confirmez d'abord votre compte avec le code reçu par email.")
INVALID_TOKEN = Failure(401, "invalid_token", "Session invalide ou expirée. Reconnectez-vous.")
INVITATION_EXPIRED = Failure(
    410,
    "invitation_expired",
    "Ce lien d'invitation n'est plus valide. Demandez à un administrateur de vous renvoyer l'invitation.",
    "token",
)
INVALID_INVITATION = Failure(422, "invalid_token", "Ce lien d'invitation n'est pas valide.", "token")
INVALID_SIGNATURE = Failure(400, "invalid_signature", "La signature de l'événement Stripe n'est pas valide.")
EVENT_IN_PROGRESS = Failure(409, "event_in_progress", "Cet événement est déjà en cours de traitement.")
ACCOUNT_NOT_EMPTY = Failure(
    409,
    "account_not_empty",
    "Le compte compte d'autres utilisateurs (y compris invités) : supprimez-les avant de supprimer le compte.",
)
NOT_AN_ACTIVE_ADMIN = Failure(
    409, "not_an_active_admin", "Seul un administrateur actif peut devenir propriétaire du compte.", "user_id"
)
ALREADY_OWNER = Failure(422, "already_owner", "Vous êtes déjà propriétaire de ce compte.", "user_id")
OWNER_CANNOT_LEAVE = Failure(
    409,
    "owner_cannot_leave",
    "Le propriétaire du compte ne peut pas être supprimé. Transférez d'abord la propriété du compte.",
)
ALONE_ON_ACCOUNT = Failure(
    409, "alone_on_account", "Vous êtes seul sur le compte : votre profil ne peut pas être supprimé."
)
WRONG_CURRENT_PASSWORD = Failure(
    422, "wrong_current_password", "Le mot de passe actuel est incorrect.", "current_password"
)
ANALYSIS_NOT_FOUND = Failure(404, "analysis_not_found", "Analyse introuvable.")
PAYMENT_PROVIDER = Failure(
    502,
    "payment_provider_error",
    "Le prestataire de paiement ne répond pas. Réessayez dans quelques instants.",
)
PAYMENT_METHOD_NOT_FOUND = Failure(404, "payment_method_not_found", "Moyen de paiement introuvable.")
INVALID_VAT_NUMBER = Failure(
    422, "invalid_vat_number", "Stripe refuse ce numéro de TVA intracommunautaire.", "vat_number"
)
USER_NOT_FOUND = Failure(404, "user_not_found", "Utilisateur introuvable.")
GROUP_NOT_FOUND = Failure(404, "group_not_found", "Groupe introuvable.")
GROUP_NAME_TAKEN = Failure(409, "group_name_taken", "Un groupe porte déjà ce nom.", "name")
GROUP_QUOTA_REACHED = Failure(
    409, "group_quota_reached", "Votre type de compte ne permet pas de créer d'autres groupes."
)
OWNER_ROLE_FIXED = Failure(
    409,
    "owner_role_fixed",
    "Le rôle du propriétaire ne change que par un transfert de propriété.",
    "role",
)
CHANGED_MEANWHILE = Failure(
    409,
    "changed_meanwhile",
    "Cet utilisateur vient d'être modifié ou supprimé par ailleurs. Rechargez la page.",
)
NOT_INVITED = Failure(409, "not_invited", "Cet utilisateur n'attend plus d'invitation.")
INVALID_ROLE = Failure(422, "invalid_role", "Le rôle doit être « admin » ou « member ».", "role")
FILE_TOO_LARGE = Failure(413, TooLarge.code, "Le fichier dépasse 1 Mo. Découpez-le en plusieurs fichiers.")
MISSING_COLUMN = Failure(
    422,
    "missing_column",
    "La première ligne du fichier doit nommer les colonnes, dont « email » : partez du modèle à télécharger.",
    "email",
)
SHARE_FORBIDDEN = Failure(
    403, Forbidden.code, "Seuls l'importateur du fichier et les administrateurs peuvent le partager."
)
FEC_NOT_FOUND = Failure(404, "fec_not_found", "Fichier FEC introuvable.")
INVALID_RANGE = Failure(422, "invalid_range", "La date de début doit précéder la date de fin.", "from")
INVALID_MFA_TOKEN = Failure(
    401,
    "invalid_mfa_token",
    "Cette étape de connexion a expiré ou n'est pas valide. Reconnectez-vous.",
    "mfa_token",
)
MFA_NOT_ENABLED = Failure(409, "mfa_not_enabled", "La double authentification n'est pas activée.")
MFA_REQUIRED_BY_ACCOUNT = Failure(
    409,
    "mfa_required_by_account",
    "Votre compte exige la double authentification : elle ne peut pas être désactivée.",
)
MFA_ENROLLMENT_NOT_STARTED = Failure(
    422, "mfa_enrollment_not_started", "Commencez par activer la double authentification.", "code"
)
SESSION_NOT_FOUND = Failure(404, "session_not_found", "Session introuvable.")
NEW_EMAIL_TAKEN = Failure(409, "email_taken", "Cette adresse email est déjà utilisée.", "new_email")
SAME_EMAIL = Failure(422, "same_email", "C'est déjà l'adresse de votre compte.", "new_email")
NOT_A_GROUP_MEMBER = Failure(
    422, "not_a_group_member", "Un des utilisateurs indiqués n'est pas membre du groupe.", "user_ids"
)


@dataclass(frozen=True)
class Body:
    media: str
    schema: dict[str, Any]
    description: str = ""
    example: Any = None


CSV = {"type": "string", "description": "UTF-8 (with or without BOM) or Windows-1252, `;` or `,` separated"}


@dataclass(frozen=True)
class Notes:
    """What a route answers beyond what its code shape shows."""

    failures: tuple[Failure, ...] = ()
    # A body the handler reads raw (so the resolver knows no model for it).
    request: Body | None = None
    # Header parameters the handler reads itself.
    headers: tuple[str, ...] = ()
    # A second success answer, by status.
    also: dict[int, Body] = field(default_factory=dict)


ROUTES: dict[str, Notes] = {
    "POST /auth/signup": Notes((EMAIL_TAKEN, WEAK_PASSWORD)),
    "POST /auth/confirm": Notes((INVALID_CODE, EXPIRED_CODE, TOO_MANY_ATTEMPTS)),
    "POST /auth/login": Notes((INVALID_CREDENTIALS, NOT_CONFIRMED, TOO_MANY_ATTEMPTS)),
    "POST /auth/refresh": Notes((INVALID_TOKEN,)),
    "POST /invitations/accept": Notes((INVITATION_EXPIRED, INVALID_INVITATION, WEAK_PASSWORD)),
    "POST /webhooks/stripe": Notes(
        (INVALID_SIGNATURE, EVENT_IN_PROGRESS),
        request=Body("application/json", {"type": "object"}, "A Stripe event, exactly as Stripe sends it."),
        headers=("Stripe-Signature",),
    ),
    "DELETE /account": Notes((ACCOUNT_NOT_EMPTY, PAYMENT_PROVIDER)),
    "POST /account/transfer-ownership": Notes((USER_NOT_FOUND, NOT_AN_ACTIVE_ADMIN, ALREADY_OWNER)),
    "DELETE /me": Notes((OWNER_CANNOT_LEAVE, ALONE_ON_ACCOUNT)),
    "POST /me/password": Notes((WRONG_CURRENT_PASSWORD, WEAK_PASSWORD, TOO_MANY_ATTEMPTS)),
    "POST /me/password/confirm": Notes((INVALID_CODE, EXPIRED_CODE, TOO_MANY_ATTEMPTS)),
    "GET /analyses/{analysis_id}/crm": Notes((ANALYSIS_NOT_FOUND,)),
    "PATCH /analyses/{analysis_id}/crm": Notes((ANALYSIS_NOT_FOUND,)),
    "GET /billing/address": Notes((PAYMENT_PROVIDER,)),
    "PUT /billing/address": Notes((INVALID_VAT_NUMBER, PAYMENT_PROVIDER)),
    "GET /billing/payment-methods": Notes((PAYMENT_PROVIDER,)),
    "POST /billing/payment-methods": Notes((PAYMENT_PROVIDER,)),
    "DELETE /billing/payment-methods/{method_id}": Notes((PAYMENT_METHOD_NOT_FOUND, PAYMENT_PROVIDER)),
    "POST /billing/payment-methods/{method_id}/default": Notes((PAYMENT_METHOD_NOT_FOUND, PAYMENT_PROVIDER)),
    "GET /billing/invoices": Notes((PAYMENT_PROVIDER,)),
    "POST /users/import": Notes(
        (FILE_TOO_LARGE, MISSING_COLUMN),
        request=Body("text/csv", CSV, "The filled-in template of GET /users/import-template."),
    ),
    "PATCH /users/{id}": Notes((USER_NOT_FOUND, OWNER_ROLE_FIXED, CHANGED_MEANWHILE, INVALID_ROLE, GROUP_NOT_FOUND)),
    "DELETE /users/{id}": Notes((USER_NOT_FOUND, OWNER_CANNOT_LEAVE, CHANGED_MEANWHILE)),
    "POST /users/{id}/resend-invitation": Notes((USER_NOT_FOUND, NOT_INVITED)),
    "POST /users/{id}/promote": Notes((USER_NOT_FOUND, OWNER_ROLE_FIXED, CHANGED_MEANWHILE)),
    "POST /groups": Notes((USER_NOT_FOUND, GROUP_NAME_TAKEN, GROUP_QUOTA_REACHED)),
    "GET /groups/{group_id}": Notes((GROUP_NOT_FOUND,)),
    "PATCH /groups/{group_id}": Notes((GROUP_NOT_FOUND, USER_NOT_FOUND, GROUP_NAME_TAKEN)),
    "DELETE /groups/{group_id}": Notes((GROUP_NOT_FOUND,)),
    "POST /fecs/{fec_id}/shares": Notes((FEC_NOT_FOUND, SHARE_FORBIDDEN, USER_NOT_FOUND, GROUP_NOT_FOUND)),
    "GET /audit": Notes((INVALID_RANGE,)),
    "GET /audit/exports/{export_id}": Notes((NOT_FOUND,)),
    "POST /auth/mfa": Notes((INVALID_MFA_TOKEN, INVALID_CODE, TOO_MANY_ATTEMPTS)),
    "POST /auth/mfa/enroll": Notes((INVALID_MFA_TOKEN,)),
    "POST /auth/mfa/enroll/confirm": Notes((INVALID_MFA_TOKEN, INVALID_CODE, TOO_MANY_ATTEMPTS)),
    "POST /me/mfa/totp/confirm": Notes((MFA_ENROLLMENT_NOT_STARTED, INVALID_CODE, TOO_MANY_ATTEMPTS)),
    "DELETE /me/mfa": Notes(
        (MFA_NOT_ENABLED, MFA_REQUIRED_BY_ACCOUNT, WRONG_CURRENT_PASSWORD, INVALID_CODE, TOO_MANY_ATTEMPTS)
    ),
    "DELETE /me/sessions/{session_id}": Notes((SESSION_NOT_FOUND,)),
    "POST /me/email": Notes((NEW_EMAIL_TAKEN, SAME_EMAIL, WRONG_CURRENT_PASSWORD, TOO_MANY_ATTEMPTS)),
    "POST /me/email/confirm": Notes((INVALID_CODE, EXPIRED_CODE, NEW_EMAIL_TAKEN, TOO_MANY_ATTEMPTS)),
    "POST /groups/{group_id}/reshare": Notes((GROUP_NOT_FOUND, NOT_A_GROUP_MEMBER)),
    "GET /audit/export": Notes(
        (INVALID_RANGE,),
        also={
            202: Body(
                "application/json",
                {"type": "object", "required": ["export_id"], "properties": {"export_id": {"type": "string"}}},
                "Too large to answer at once: follow GET /audit/exports/{id}.",
                example={"export_id": "exp_4Tq8Lm2x"},
            )
        },
    ),
}
