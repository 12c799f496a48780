"""Typed domain errors. The HTTP edge maps each to its status and API.md error body, once."""


class DomainError(Exception):
    status = 400
    code = "bad_request"
    message = "Requête invalide."

    def __init__(self, message: str | None = None, *, field: str | None = None, code: str | None = None):
        self.message = message or self.message
        self.field = field
        if code:
            self.code = code
        super().__init__(self.message)


class InvalidInput(DomainError):
    status = 422
    code = "invalid_input"
    message = "Une valeur saisie n'est pas valide."


class InvalidCursor(InvalidInput):
    """A list cursor that was not ours, or not for this list."""

    code = "invalid_cursor"
    message = "Ce curseur de pagination n'est pas valide."

    def __init__(self) -> None:
        super().__init__(field="cursor")


class InvalidCode(InvalidInput):
    """A one-time code (emailed, TOTP or recovery) that is not the expected one, or no longer is."""

    code = "invalid_code"
    message = "Ce code n'est pas valide."

    def __init__(self) -> None:
        super().__init__(field="code")


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"
    message = "Authentification requise."


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    message = "Votre rôle ne permet pas cette action."


class NotFound(DomainError):
    status = 404
    code = "not_found"
    message = "Élément introuvable."


class AccountNotFound(NotFound):
    """The account does not exist (any more)."""

    code = "account_not_found"
    message = "Compte introuvable."


class UserNotFound(NotFound):
    code = "user_not_found"
    message = "Utilisateur introuvable."


class Conflict(DomainError):
    status = 409
    code = "conflict"
    message = "L'état actuel ne permet pas cette action."


# The conflicts the account item's conditions guard (store/accounts.py, store/mfa.py), one class each:
# whichever request loses the race gets a fresh one.


class AccountExists(Conflict):
    code = "account_exists"
    message = "Ce compte existe déjà."


class QuotaExceeded(Conflict):
    code = "quota_exceeded"
    message = "Le nombre maximal d'utilisateurs de votre type de compte est atteint."


class AloneOnAccount(Conflict):
    code = "alone_on_account"
    message = "Vous êtes seul sur le compte : votre profil ne peut pas être supprimé."


class NotOwner(Conflict):
    code = "not_owner"
    message = "Vous n'êtes plus propriétaire de ce compte."


class AccountNotEmpty(Conflict):
    code = "account_not_empty"
    message = "Le compte compte d'autres utilisateurs (y compris invités) : supprimez-les avant de supprimer le compte."


class MfaAlreadyEnabled(Conflict):
    code = "mfa_already_enabled"
    message = "La double authentification est déjà activée."


class MfaRequiredByAccount(Conflict):
    code = "mfa_required_by_account"
    message = "Votre compte exige la double authentification : elle ne peut pas être désactivée."


class RequestInProgress(Conflict):
    """Another attempt of the same request (same Idempotency-Key) holds it, or took it over."""

    code = "request_in_progress"
    message = "Cette requête est déjà en cours de traitement. Réessayez dans un instant."


class IdempotencyKeyReused(InvalidInput):
    """The same Idempotency-Key was sent before with another request."""

    code = "idempotency_key_reused"
    message = "Cette clé d'idempotence a déjà servi pour une autre requête."

    def __init__(self) -> None:
        super().__init__(field="Idempotency-Key")


class Gone(DomainError):
    status = 410
    code = "gone"
    message = "Ce lien n'est plus valide."


class TooLarge(DomainError):
    status = 413
    code = "payload_too_large"
    message = "Le fichier envoyé est trop volumineux."


class TooManyAttempts(DomainError):
    status = 429
    code = "too_many_attempts"
    message = "Trop de tentatives. Demandez un nouveau code."


class BadGateway(DomainError):
    status = 502
    code = "payment_provider_error"
    message = "Le prestataire de paiement ne répond pas. Réessayez dans quelques instants."
