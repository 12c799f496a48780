"""The catalogue of errors: every error body the API can answer is declared here, once.

Each kind is a class: its HTTP status, its stable `code`, the French `message` a person reads (with
`{placeholders}` filled when it is raised), the `field` it names by default, and, as its docstring,
what it means for a developer of the front end. The domain raises these classes (a fresh instance
each time, never a module-level one raised again); the HTTP edge turns any of them into API.md's body
(`http/errors.py`); the OpenAPI document shows each route's kinds with the same text
(`http/openapi.py`), and `tests/unit/test_error_catalogue.py` proves no kind a route can raise is
missing from it. A message or a code is written nowhere else.

A subclass that declares no `code` of its own is a control-flow signal inside the domain (a lost race
to retry, a deleted account to acknowledge): it never leaves as such, and would answer as its parent.
"""

import string
from collections.abc import Sequence
from typing import ClassVar


class DomainError(Exception):
    """The request cannot be served as sent."""

    status: ClassVar[int] = 400
    code: str = "bad_request"
    message: str = "Requête invalide."
    field: str | None = None
    # RFC 6750 §3: the challenge a 401 about the bearer token carries in WWW-Authenticate.
    challenge: ClassVar[str | None] = None

    def __init__(self, *, field: str | None = None, **params: str | int) -> None:
        if field is not None:
            self.field = field
        if self.field is None and "{field}" in type(self).message:
            raise TypeError(f"{type(self).__name__} names its field: give it")
        self.params = params
        # The field's last segment names a per-field code (`invalid_siren` for `siren`, `fields.siren`).
        name = (self.field or "").rpartition(".")[2]
        self.code = type(self).code.format(name=name)
        self.message = type(self).message.format(field=self.field, **params)
        super().__init__(self.message)

    @classmethod
    def placeholders(cls) -> set[str]:
        """The parameters its message needs when raised (the field is always given)."""
        return {name for _, name, _, _ in string.Formatter().parse(cls.message) if name} - {"field"}


# ---------------------------------------------------------------------------------------------------
# Malformed requests (400) and the edge's own answers: how a body failed to parse or validate.
# ---------------------------------------------------------------------------------------------------


class InvalidJson(DomainError):
    """The body is not valid JSON (NaN, Infinity, huge integers and extreme nesting included)."""

    code = "invalid_json"
    message = "Le corps de la requête n'est pas un JSON valide."


class NotUtf8(DomainError):
    """The body is not UTF-8 text: send JSON encoded in UTF-8."""

    code = "invalid_json"
    message = "Le corps de la requête doit être un JSON encodé en UTF-8."


class InvalidBody(DomainError):
    """The body is missing, or is JSON but not an object (an array, a string)."""

    code = "invalid_body"
    message = "Le corps de la requête doit être un objet JSON."


class WrongType(DomainError):
    """A field has the wrong JSON type (a number for a string…); `field` names it."""

    code = "wrong_type"
    message = "Le champ « {field} » n'a pas le bon type."


class NotAllowedValue(DomainError):
    """A field takes one of a fixed set of values and got another; the message lists the allowed ones."""

    code = "wrong_type"
    message = "Le champ « {field} » doit valoir l'une de ces valeurs : {allowed}."

    def __init__(self, *, field: str, allowed: Sequence[str]) -> None:
        super().__init__(field=field, allowed=", ".join(f"« {value} »" for value in allowed))


class UnsupportedMediaType(DomainError):
    """The body is sent with a Content-Type other than application/json (or the CSV import's types)."""

    status = 415
    code = "unsupported_media_type"
    message = "Le corps de la requête doit être envoyé en JSON (Content-Type: application/json)."


class InternalError(DomainError):
    """A fault of ours, logged with the request id: retrying may work; report it if it persists."""

    status = 500
    code = "internal_error"
    message = "Une erreur inattendue est survenue. Réessayez."


class BadGateway(DomainError):
    """Stripe did not answer or failed: nothing was changed; retry in a moment."""

    status = 502
    code = "payment_provider_error"
    message = "Le prestataire de paiement ne répond pas. Réessayez dans quelques instants."


class CatalogueIncomplete(DomainError):
    """No account type is obtained this way (support edited the catalogue wrongly): retry later."""

    status = 503
    code = "catalogue_incomplete"
    message = "Ce service est momentanément indisponible. Réessayez plus tard."


class InvalidSignature(DomainError):
    """The Stripe-Signature header does not sign this body with our secret (or is older than 5 minutes)."""

    code = "invalid_signature"
    message = "La signature de l'événement Stripe n'est pas valide."


class InvalidEvent(DomainError):
    """A correctly signed body that is not a Stripe event."""

    code = "invalid_event"
    message = "Le corps n'est pas un événement Stripe lisible."


# ---------------------------------------------------------------------------------------------------
# Well-formed but invalid values (422): `field` names the value to correct.
# ---------------------------------------------------------------------------------------------------


class InvalidInput(DomainError):
    """A value is not acceptable."""

    status = 422
    code = "invalid_input"
    message = "Une valeur saisie n'est pas valide."


class InvalidRequest(InvalidInput):
    """The body breaks a rule of the whole request (at least one of two optional fields…); the message
    says which."""

    code = "invalid_input"
    message = "La requête n'est pas valide : {reason}"

    def __init__(self, *, reason: str) -> None:
        super().__init__(reason=reason)


class MissingField(InvalidInput):
    """A required field is absent (reported after any unknown field, which is often its misspelling)."""

    code = "missing_field"
    message = "Le champ « {field} » est obligatoire."


class UnknownField(InvalidInput):
    """The body has a field this route does not know (misspelled?); nothing was changed."""

    code = "unknown_field"
    message = "Le champ « {field} » n'est pas reconnu."


class TextTooLong(InvalidInput):
    """A text field is longer than its schema's maxLength."""

    code = "invalid_{name}"
    message = "Le champ « {field} » dépasse {max_length} caractères."

    def __init__(self, *, field: str, max_length: int) -> None:
        super().__init__(field=field, max_length=max_length)


class EmptyText(InvalidInput):
    """A text field that must hold something is empty (or only spaces)."""

    code = "invalid_{name}"
    message = "Le champ « {field} » ne peut pas être vide."


class ControlCharacter(InvalidInput):
    """A text field holds a control character (line break, tab, NUL…): every text field is one line."""

    code = "invalid_{name}"
    message = (
        "Le champ « {field} » ne peut pas contenir de caractère de contrôle (retour à la ligne, tabulation, NUL…)."
    )


class InvalidValue(InvalidInput):
    """A value breaks a rule of its field; the message says which (a SIREN's key, a phone's format…)."""

    code = "invalid_{name}"
    message = "Le champ « {field} » n'est pas valide : {reason}"

    def __init__(self, *, field: str, reason: str) -> None:
        super().__init__(field=field, reason=reason)


class InvalidFieldValue(InvalidInput):
    """A value does not have its field's shape (a pattern, a bound of its schema)."""

    code = "invalid_{name}"
    message = "Le champ « {field} » n'est pas valide."


class InvalidCursor(InvalidInput):
    """A list cursor that is not one this list gave (tampered, or of another list or account)."""

    code = "invalid_cursor"
    message = "Ce curseur de pagination n'est pas valide."
    field = "cursor"


class InvalidCode(InvalidInput):
    """A one-time code (emailed, TOTP or recovery) that is wrong, already used or withdrawn by a newer one."""

    code = "invalid_code"
    message = "Ce code n'est pas valide."
    field = "code"


class ExpiredCode(InvalidInput):
    """The emailed code is past its validity: ask for a new one (POST /auth/resend-code at signup)."""

    code = "expired_code"
    message = "Ce code a expiré. Demandez un nouveau code de validation."
    field = "code"


class PasswordTooShort(InvalidInput):
    """A new password under the minimum length (12 characters)."""

    code = "weak_password"
    message = "Le mot de passe doit contenir au moins {minimum} caractères."
    field = "password"

    def __init__(self, *, field: str, minimum: int) -> None:
        super().__init__(field=field, minimum=minimum)


class PasswordTooLong(InvalidInput):
    """A new password over the maximum length (128 characters)."""

    code = "weak_password"
    message = "Le mot de passe doit contenir au plus {maximum} caractères."
    field = "password"

    def __init__(self, *, field: str, maximum: int) -> None:
        super().__init__(field=field, maximum=maximum)


class CommonPassword(InvalidInput):
    """A new password that is common or trivial (a known password with digits around it, 3 letters…)."""

    code = "weak_password"
    message = "Ce mot de passe est trop courant ou trop simple. Choisissez-en un autre."
    field = "password"


class PasswordLikeEmail(InvalidInput):
    """A new password that contains the user's email name."""

    code = "weak_password"
    message = "Le mot de passe ne doit pas reprendre votre adresse email."
    field = "password"


class PasswordMismatch(InvalidInput):
    """The confirmation differs from the new password."""

    code = "password_mismatch"
    message = "La confirmation ne correspond pas au nouveau mot de passe."
    field = "new_password_confirmation"


class SamePassword(InvalidInput):
    """The new password is the current one."""

    code = "same_password"
    message = "Le nouveau mot de passe doit être différent de l'actuel."
    field = "new_password"


class WrongCurrentPassword(InvalidInput):
    """The current password given to confirm a sensitive change is wrong (counted: see 429)."""

    code = "wrong_current_password"
    message = "Le mot de passe actuel est incorrect."
    field = "current_password"


class SameEmail(InvalidInput):
    """The new email is already the account's."""

    code = "same_email"
    message = "C'est déjà l'adresse de votre compte."
    field = "new_email"


class InvalidEmail(InvalidInput):
    """An invitation row's email is not an address."""

    code = "invalid_email"
    message = "Cette adresse email n'est pas valide."
    field = "email"


class DuplicateEmail(InvalidInput):
    """An invitation row repeats an email of an earlier row of the same request or file."""

    code = "duplicate"
    message = "Cette adresse email figure déjà plus haut dans la liste."
    field = "email"


class NameTooLong(InvalidInput):
    """An invitation row's first or last name is over 100 characters."""

    code = "invalid_{name}"
    message = "Ce nom dépasse 100 caractères."


class NameWithControlCharacter(InvalidInput):
    """An invitation row's name holds a control character (a CSV cell with a line break or a tab)."""

    code = "invalid_{name}"
    message = "Ce nom contient un caractère de contrôle (caractère nul, tabulation, retour à la ligne…)."


class RoleNotAllowed(InvalidInput):
    """The owner role is never given: ownership moves by POST /account/transfer-ownership."""

    code = "role_not_allowed"
    message = "Le rôle propriétaire ne s'attribue pas : il change par un transfert de propriété."
    field = "role"


class InvalidRole(InvalidInput):
    """A role other than `admin` or `member` (a CSV cell may also say `administrateur`, `utilisateur`)."""

    code = "invalid_role"
    message = "Le rôle doit être « admin » ou « member »."
    field = "role"


class InvalidIdempotencyKey(InvalidInput):
    """The Idempotency-Key header is empty, longer than 255 characters, or not printable ASCII."""

    code = "invalid_idempotency_key"
    message = "La clé d'idempotence doit compter de 1 à 255 caractères ASCII imprimables."
    field = "Idempotency-Key"


class IdempotencyKeyReused(InvalidInput):
    """This Idempotency-Key was sent, within a day, with another request (another path or body): a new
    request needs a new key."""

    code = "idempotency_key_reused"
    message = "Cette clé d'idempotence a déjà servi pour une autre requête."
    field = "Idempotency-Key"


class TooManyGroups(InvalidInput):
    """One edit may add or remove a user from at most this many groups: split the change."""

    code = "too_many_groups"
    message = "Modifiez au plus {limit} groupes à la fois."
    field = "group_ids"

    def __init__(self, *, limit: int) -> None:
        super().__init__(limit=limit)


class TooManyMembers(InvalidInput):
    """One edit may add or remove at most this many members of a group: split the change."""

    code = "too_many_members"
    message = "Modifiez au plus {limit} membres à la fois."
    field = "member_ids"

    def __init__(self, *, limit: int) -> None:
        super().__init__(limit=limit)


class NotAGroupMember(InvalidInput):
    """A user listed for a re-share is not (or no longer) a member of the group."""

    code = "not_a_group_member"
    message = "Un des utilisateurs indiqués n'est pas membre du groupe."
    field = "user_ids"


class AlreadyOwner(InvalidInput):
    """The owner named themselves as the new owner."""

    code = "already_owner"
    message = "Vous êtes déjà propriétaire de ce compte."
    field = "user_id"


class InvalidInvitation(InvalidInput):
    """The invitation link's token is not one we issued (cut or altered when copied?)."""

    code = "invalid_invitation"
    message = "Ce lien d'invitation n'est pas valide."
    field = "token"


class MfaEnrollmentNotStarted(InvalidInput):
    """A TOTP code sent before POST /me/mfa/totp gave a secret."""

    code = "mfa_enrollment_not_started"
    message = "Commencez par activer la double authentification pour obtenir un secret."
    field = "code"


class InvalidPasskey(InvalidInput):
    """The new passkey could not be verified: its challenge (from POST /me/passkeys/options, valid 5
    minutes, used once) expired or was used, another origin or relying party, no user verification, or
    a credential registered already. Ask new options and create it again."""

    code = "invalid_credential"
    message = "La clé d'accès n'a pas pu être vérifiée. Recommencez son enregistrement."
    field = "credential"


class InvalidRange(InvalidInput):
    """The period's start (`from`) is after its end (`to`)."""

    code = "invalid_range"
    message = "La date de début doit précéder la date de fin."
    field = "from"


class InvalidVatNumber(InvalidInput):
    """Stripe refused the VAT number (its format for the country is right, its checksum is not)."""

    code = "invalid_vat_number"
    message = "Stripe refuse ce numéro de TVA intracommunautaire."
    field = "vat_number"


class MissingColumn(InvalidInput):
    """The CSV's first line does not name an `email` column: start from GET /users/import-template."""

    code = "missing_column"
    message = "La première ligne du fichier doit nommer les colonnes, dont « email » : partez du modèle à télécharger."
    field = "email"


class UnreadableCsv(InvalidInput):
    """A line of the CSV cannot be read (an unclosed quote, a cell over 131,072 characters): nothing imported."""

    code = "unreadable_csv"
    message = "La ligne {line} du fichier est illisible (cellule trop longue ou guillemet non fermé)."
    field = "file"

    def __init__(self, *, line: int) -> None:
        super().__init__(line=line)


class UnknownAccountType(InvalidInput):
    """An account type id the catalogue does not hold (support operations); the message lists those it holds."""

    code = "unknown_account_type"
    message = "Ce type de compte n'existe pas. Types existants : {existing}."
    field = "type_id"

    def __init__(self, *, existing: str) -> None:
        super().__init__(existing=existing)


class InvalidCreditType(InvalidInput):
    """A credit type id the catalogue does not hold (support and analysis operations); the message lists
    those it holds."""

    code = "invalid_credit_type"
    message = "Ce type de crédit n'existe pas. Types existants : {existing}."
    field = "type"

    def __init__(self, *, field: str | None = None, existing: str) -> None:
        super().__init__(field=field, existing=existing)


class InvalidAmount(InvalidInput):
    """A number of credits that is zero or negative (support and analysis operations)."""

    code = "invalid_amount"
    message = "Le nombre de crédits doit être positif."
    field = "amount"


# ---------------------------------------------------------------------------------------------------
# Authentication (401): the bearer token, or the credentials of a login step.
# ---------------------------------------------------------------------------------------------------


class Unauthorized(DomainError):
    """No bearer token: log in (POST /auth/login) and send `Authorization: Bearer <access_token>`."""

    status = 401
    code = "unauthorized"
    message = "Authentification requise."
    challenge: ClassVar[str | None] = "Bearer"


class InvalidToken(Unauthorized):
    """The token is not one of ours (altered, another key, malformed): log in again."""

    code = "invalid_token"
    message = "Session invalide ou expirée. Reconnectez-vous."
    challenge = 'Bearer error="invalid_token"'


class TokenExpired(Unauthorized):
    """The access token is past its 15 minutes: get a new one with POST /auth/refresh, then retry."""

    code = "token_expired"
    message = "Votre session a expiré. Reconnectez-vous."
    challenge = 'Bearer error="invalid_token", error_description="The access token expired"'


class SessionEnded(Unauthorized):
    """The token's session was ended (logout, revoked, password or email changed, user disabled or
    removed): a refresh will not help; log in again."""

    code = "session_ended"
    message = "Cette session a été fermée. Reconnectez-vous."
    challenge = 'Bearer error="invalid_token", error_description="The session ended"'


class InvalidRefreshToken(Unauthorized):
    """The refresh token is unknown, already used (each is used once), or its session ended: log in again."""

    code = "invalid_token"
    message = "Session invalide ou expirée. Reconnectez-vous."
    field = "refresh_token"
    challenge = None


class InvalidCredentials(Unauthorized):
    """Wrong email or password; the same answer for an email of no account. Ten in a row lock (429)."""

    code = "invalid_credentials"
    message = "Email ou mot de passe incorrect."
    challenge = None


class InvalidMfaToken(Unauthorized):
    """The `mfa_token` of the login step is expired (5 minutes), used, or of another step: log in again."""

    code = "invalid_mfa_token"
    message = "Cette étape de connexion a expiré ou n'est pas valide. Reconnectez-vous."
    field = "mfa_token"
    challenge = None


class PasskeyRefused(Unauthorized):
    """The passkey login failed: an unknown credential, a bad signature, another origin or relying party,
    a challenge expired (5 minutes), used or of another ceremony, a counter that went backwards. One
    answer for all: it says nothing of whether a credential exists. Ask new options and try again."""

    code = "invalid_credentials"
    message = "Cette clé d'accès n'a pas permis de vous connecter. Réessayez."
    challenge = None


# ---------------------------------------------------------------------------------------------------
# Forbidden (403): the caller is known, the action is not theirs.
# ---------------------------------------------------------------------------------------------------


class Forbidden(DomainError):
    """The caller's role does not allow this route (R-ROLE)."""

    status = 403
    code = "forbidden"
    message = "Votre rôle ne permet pas cette action."


class OwnerOutOfReach(Forbidden):
    """An admin acted on the owner: only the owner changes or removes the owner."""

    message = "Un administrateur ne peut pas agir sur le propriétaire du compte."


class NotAllowedToShare(Forbidden):
    """A member shared a file they did not import: only its importer and the owner and admins share it."""

    message = "Seuls l'importateur du fichier et les administrateurs peuvent le partager."


class NotConfirmed(Forbidden):
    """Right password, but the signup or invitation was never confirmed with its emailed code."""

    code = "not_confirmed"
    message = "Confirmez d'abord votre compte avec le code reçu par email."


class UserDisabled(Forbidden):
    """Right credentials, but an owner or admin disabled this user: no login until they restore it."""

    code = "user_disabled"
    message = "Votre accès a été désactivé par un administrateur du compte."


# ---------------------------------------------------------------------------------------------------
# Not found (404): in the caller's account (another account's ids are 404 too, never 403).
# ---------------------------------------------------------------------------------------------------


class NotFound(DomainError):
    """Nothing with this id in the caller's account."""

    status = 404
    code = "not_found"
    message = "Élément introuvable."


class AccountNotFound(NotFound):
    """The account does not exist (any more): it was deleted meanwhile."""

    code = "account_not_found"
    message = "Compte introuvable."


class UserNotFound(NotFound):
    """No user with this id in the caller's account."""

    code = "user_not_found"
    message = "Utilisateur introuvable."


class UnknownUsers(NotFound):
    """One of the listed user ids is of no user of the caller's account; nothing was changed."""

    code = "user_not_found"
    message = "Un des utilisateurs indiqués est introuvable."
    field = "user_ids"


class GroupNotFound(NotFound):
    """No group with this id in the caller's account."""

    code = "group_not_found"
    message = "Groupe introuvable."


class UnknownGroups(NotFound):
    """One of the listed group ids is of no group of the caller's account; nothing was changed."""

    code = "group_not_found"
    message = "Un des groupes indiqués est introuvable."
    field = "group_ids"


class SessionNotFound(NotFound):
    """No session of the caller with this id (ended already?)."""

    code = "session_not_found"
    message = "Session introuvable."


class FecNotFound(NotFound):
    """No FEC file with this id that the caller may open."""

    code = "fec_not_found"
    message = "Fichier FEC introuvable."


class FolderNotFound(NotFound):
    """No file of the caller's account names this folder: a folder exists as long as a file names it."""

    code = "folder_not_found"
    message = "Dossier introuvable."
    field = "folder"


class PasskeyNotFound(NotFound):
    """No passkey of the caller with this id (removed already?)."""

    code = "passkey_not_found"
    message = "Clé d'accès introuvable."


class AnalysisNotFound(NotFound):
    """The analysis id does not have an analysis id's shape."""

    code = "analysis_not_found"
    message = "Analyse introuvable."


class PaymentMethodNotFound(NotFound):
    """No payment method with this id on the account's Stripe customer."""

    code = "payment_method_not_found"
    message = "Moyen de paiement introuvable."


class ExportNotFound(NotFound):
    """No audit export with this id on the caller's account (or it expired after 7 days)."""

    code = "export_not_found"
    message = "Export introuvable."


# ---------------------------------------------------------------------------------------------------
# Conflicts (409): the current state does not allow it; reload, then decide.
# ---------------------------------------------------------------------------------------------------


class Conflict(DomainError):
    """The current state does not allow this."""

    status = 409
    code = "conflict"
    message = "L'état actuel ne permet pas cette action."


class AccountExists(Conflict):
    """The account id is taken (a retried signup)."""

    code = "account_exists"
    message = "Ce compte existe déjà."


class EmailTaken(Conflict):
    """Another account or user already has this email (or took it since the code was sent)."""

    code = "email_taken"
    message = "Cette adresse email est déjà utilisée."
    field = "email"


class QuotaExceeded(Conflict):
    """The account type's maximum number of users (invited ones included) is reached."""

    code = "quota_exceeded"
    message = "Le nombre maximal d'utilisateurs de votre type de compte est atteint."


class AloneOnAccount(Conflict):
    """The caller is the account's only user: delete the account instead (DELETE /account)."""

    code = "alone_on_account"
    message = "Vous êtes seul sur le compte : votre profil ne peut pas être supprimé."


class NotOwner(Conflict):
    """The caller stopped being the owner meanwhile (another transfer won)."""

    code = "not_owner"
    message = "Vous n'êtes plus propriétaire de ce compte."


class AccountNotEmpty(Conflict):
    """Other users (invited ones included) remain: remove them before deleting the account."""

    code = "account_not_empty"
    message = "Le compte compte d'autres utilisateurs (y compris invités) : supprimez-les avant de supprimer le compte."


class AccountBusy(Conflict):
    """The account kept changing while it was being deleted: retry."""

    code = "account_busy"
    message = "Le compte change trop souvent pour être supprimé ; réessayez."


class NotAnActiveAdmin(Conflict):
    """The new owner must be an active admin: promote them first (POST /users/{id}/promote)."""

    code = "not_an_active_admin"
    message = "Seul un administrateur actif peut devenir propriétaire du compte."
    field = "user_id"


class OwnerCannotLeave(Conflict):
    """The owner cannot be removed: transfer the ownership first."""

    code = "owner_cannot_leave"
    message = "Le propriétaire du compte ne peut pas être supprimé. Transférez d'abord la propriété du compte."


class OwnerCannotBeDisabled(Conflict):
    """The owner cannot be disabled: the account must keep someone who can log in (transfer it first)."""

    code = "owner_cannot_be_disabled"
    message = "Le propriétaire du compte ne peut pas être désactivé."
    field = "active"


class OwnerRoleFixed(Conflict):
    """The owner's role changes only by a transfer of ownership."""

    code = "owner_role_fixed"
    message = "Le rôle du propriétaire ne change que par un transfert de propriété."
    field = "role"


class ChangedMeanwhile(Conflict):
    """The user was changed or removed by someone else since it was read: reload, then retry."""

    code = "changed_meanwhile"
    message = "Cet utilisateur vient d'être modifié ou supprimé par ailleurs. Rechargez la page."


class GroupChanged(Conflict):
    """The group was edited or deleted by someone else since it was read: reload it, then retry."""

    code = "group_changed"
    message = "Ce groupe vient d'être modifié par quelqu'un d'autre. Rechargez-le puis recommencez."


class InvitationGroupChanged(Conflict):
    """A group named in an invitation row was edited by someone else meanwhile: retry that row."""

    code = "group_changed"
    message = "Un des groupes indiqués vient d'être modifié par quelqu'un d'autre. Réessayez pour cet utilisateur."
    field = "group_ids"


class InvitationAlreadyAccepted(Conflict):
    """The invited user has already chosen a password: there is no invitation left to resend."""

    code = "invitation_already_accepted"
    message = "Cet utilisateur a déjà accepté son invitation."
    field = "id"


class NotInvited(Conflict):
    """The user is no longer waiting for an invitation (accepted or removed meanwhile)."""

    code = "not_invited"
    message = "Cet utilisateur n'attend plus d'invitation."


class GroupNameTaken(Conflict):
    """Another group of the account has this name (whatever the case)."""

    code = "group_name_taken"
    message = "Un groupe porte déjà ce nom."
    field = "name"


class GroupQuotaReached(Conflict):
    """The account type's maximum number of groups is reached."""

    code = "group_quota_reached"
    message = "Votre type de compte ne permet pas de créer d'autres groupes."


class FolderChanged(Conflict):
    """A file was registered in the folder, or the folder shared, at the same moment, again and again:
    retry in a moment."""

    code = "folder_changed"
    message = "Le dossier change en ce moment. Réessayez dans quelques instants."


class CabinetChanged(Conflict):
    """The firm information kept changing while the CRM was saved: save it again."""

    code = "cabinet_changed"
    message = "Les informations du cabinet changent en ce moment. Enregistrez à nouveau le compte-rendu."


class MfaAlreadyEnabled(Conflict):
    """The caller's MFA is already on."""

    code = "mfa_already_enabled"
    message = "La double authentification est déjà activée."


class MfaNotEnabled(Conflict):
    """The caller's MFA is not on: there is nothing to turn off."""

    code = "mfa_not_enabled"
    message = "La double authentification n'est pas activée."


class MfaRequiredByAccount(Conflict):
    """The owner requires MFA on the account: it cannot be turned off."""

    code = "mfa_required_by_account"
    message = "Votre compte exige la double authentification : elle ne peut pas être désactivée."


class PasskeyLimitReached(Conflict):
    """The caller has as many passkeys as a user may have: remove one before adding another."""

    code = "passkey_limit_reached"
    message = "Vous avez atteint le nombre maximal de clés d'accès ({limit}). Supprimez-en une d'abord."

    def __init__(self, *, limit: int) -> None:
        super().__init__(limit=limit)


class EventInProgress(Conflict):
    """The same Stripe event is being applied by another delivery: Stripe will retry it."""

    code = "event_in_progress"
    message = "Cet événement est déjà en cours de traitement."


class RequestInProgress(Conflict):
    """Another attempt of the same request (same Idempotency-Key) is still running, or took this one
    over: retry in a moment with the same key, and its answer comes back."""

    code = "request_in_progress"
    message = "Cette requête est déjà en cours de traitement. Réessayez dans un instant."


class SessionsChanged(Conflict):
    """The user's sessions were ended by another change at the same instant: retry."""

    code = "sessions_changed"
    message = "Vos sessions viennent de changer par ailleurs. Réessayez."


class AccountTypeBusy(Conflict):
    """The account type kept changing while a Stripe event applied: Stripe will retry it."""

    code = "account_type_busy"
    message = "Le type du compte change trop souvent ; Stripe renverra l'événement."


class AccountNotDeleted(Conflict):
    """A purge was asked for an account that is not deleted (internal)."""

    code = "account_not_deleted"
    message = "Ce compte n'est pas supprimé."


class InsufficientCredits(Conflict):
    """The account has fewer credits of this type than the analysis takes (analysis service)."""

    code = "insufficient_credits"
    message = "Crédits insuffisants pour cette analyse."


class MonthlyAnalysisLimitReached(Conflict):
    """The account type's analyses for this calendar month are used up (analysis service)."""

    code = "monthly_analysis_limit_reached"
    message = "Votre type de compte permet {limit} analyses par mois ; la limite est atteinte."

    def __init__(self, *, limit: int) -> None:
        super().__init__(limit=limit)


class AnalysisIdReused(Conflict):
    """The analysis id already consumed credits of another type or amount (analysis service)."""

    code = "analysis_id_reused"
    message = "Cette analyse a déjà consommé des crédits d'un autre type ou d'un autre montant."
    field = "analysis_id"


# ---------------------------------------------------------------------------------------------------
# Gone (410), too large (413), too many attempts (429).
# ---------------------------------------------------------------------------------------------------


class Gone(DomainError):
    """The link is no longer valid."""

    status = 410
    code = "gone"
    message = "Ce lien n'est plus valide."


class InvitationExpired(Gone):
    """The invitation link was used, replaced by a newer one or is past its validity: ask an admin to
    resend it (POST /users/{id}/resend-invitation)."""

    code = "invitation_expired"
    message = "Ce lien d'invitation n'est plus valide. Demandez à un administrateur de vous renvoyer l'invitation."
    field = "token"


class TooLarge(DomainError):
    """The body is too large."""

    status = 413
    code = "payload_too_large"
    message = "Le fichier envoyé est trop volumineux."


class FileTooLarge(TooLarge):
    """The CSV is over its size limit: split it."""

    message = "Le fichier dépasse {megabytes} Mo. Découpez-le en plusieurs fichiers."

    def __init__(self, *, megabytes: int) -> None:
        super().__init__(megabytes=megabytes)


class TooManyRows(TooLarge):
    """The CSV has more rows than one import takes: split it."""

    message = "Le fichier dépasse {rows} lignes. Découpez-le en plusieurs fichiers."

    def __init__(self, *, rows: int) -> None:
        super().__init__(rows=rows)


class TooManyAttempts(DomainError):
    """This code's tries (5), or the email's tries of the day (10), or its codes of the hour (5) are used
    up: ask for a new code, or wait."""

    status = 429
    code = "too_many_attempts"
    message = "Trop de tentatives. Demandez un nouveau code."


class LoginLocked(TooManyAttempts):
    """Ten wrong passwords in a row lock this email's login for 15 minutes."""

    message = "Trop de tentatives de connexion. Réessayez dans quelques minutes."


class TooManyMfaAttempts(TooManyAttempts):
    """Five wrong MFA codes in 15 minutes: wait (a new login buys no new guesses)."""

    message = "Trop de tentatives. Réessayez dans quelques minutes."


class TooManyEmailChangeCodes(TooManyAttempts):
    """Five codes asked within the hour for this user, or for this new address: wait an hour."""

    message = "Trop de codes demandés pour cette adresse. Réessayez dans une heure."


class TooManyEmailChangeTries(TooManyAttempts):
    """Ten wrong email-change codes today for this user, or for this new address: try again tomorrow."""

    message = "Trop de codes erronés pour cette adresse aujourd'hui. Réessayez demain."


class TooManyPasswordAttempts(TooManyAttempts):
    """Too many wrong current passwords on sensitive changes: wait a few minutes."""

    message = "Trop de tentatives avec un mot de passe erroné. Réessayez dans quelques minutes."
