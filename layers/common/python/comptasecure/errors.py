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


class Conflict(DomainError):
    status = 409
    code = "conflict"
    message = "L'état actuel ne permet pas cette action."


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
