"""The French emails the back end sends, each as subject, plain text and HTML."""

from collections.abc import Callable
from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class Email:
    subject: str
    text: str
    html: str


def _html(paragraphs: list[str]) -> str:
    body = "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)
    return f'<!doctype html><html lang="fr"><body style="font-family:sans-serif">{body}</body></html>'


def _greeting(first_name: str | None) -> str:
    return f"Bonjour {first_name}," if first_name else "Bonjour,"


def _code_email(subject: str, first_name: str | None, intro: str, code: str, validity: str, footer: str) -> Email:
    lines = [_greeting(first_name), intro, code, validity, footer]
    big_code = f"<strong style='font-size:1.5em'>{code}</strong>"
    return Email(
        subject=subject,
        text="\n\n".join(lines),
        html=_html([escape(lines[0]), escape(intro), big_code, escape(validity), escape(footer)]),
    )


def confirmation_code(first_name: str | None, code: str, validity_minutes: int) -> Email:
    return _code_email(
        f"Votre code de validation ComptaSecure : {code}",
        first_name,
        "Voici votre code de validation ComptaSecure :",
        code,
        f"Ce code est valable {validity_minutes} minutes. Passé ce délai, demandez un nouveau code "
        "via le lien « Envoyer un nouveau code de validation ».",
        "Si vous n'êtes pas à l'origine de cette demande, ignorez cet email.",
    )


def password_change_code(first_name: str | None, code: str, validity_minutes: int) -> Email:
    return _code_email(
        f"Confirmez le changement de votre mot de passe : {code}",
        first_name,
        "Vous avez demandé à changer votre mot de passe ComptaSecure. Saisissez ce code pour confirmer :",
        code,
        f"Ce code est valable {validity_minutes} minutes. Tant qu'il n'est pas saisi, votre ancien mot "
        "de passe reste valable.",
        "Si vous n'êtes pas à l'origine de cette demande, changez votre mot de passe et contactez le support.",
    )


def password_changed(first_name: str | None) -> Email:
    lines = [
        _greeting(first_name),
        "Le mot de passe de votre compte ComptaSecure vient d'être modifié. Vos autres sessions ont été fermées.",
        "Si vous n'êtes pas à l'origine de ce changement, contactez immédiatement le support ComptaSecure.",
    ]
    return Email(
        subject="Votre mot de passe ComptaSecure a été modifié",
        text="\n\n".join(lines),
        html=_html([escape(line) for line in lines]),
    )


def invitation(first_name: str | None, inviter: str, account_name: str, link: str, validity_minutes: int) -> Email:
    lines = [
        _greeting(first_name),
        f"{inviter} vous invite à rejoindre le compte « {account_name} » sur ComptaSecure.",
        f"Choisissez votre mot de passe en suivant ce lien, valable {validity_minutes} minutes : {link}",
        "Vous recevrez ensuite un code par email pour confirmer votre compte.",
    ]
    return Email(
        subject=f"Invitation à rejoindre {account_name} sur ComptaSecure",
        text="\n\n".join(lines),
        html=_html(
            [
                escape(lines[0]),
                escape(lines[1]),
                f'<a href="{escape(link)}">Choisir mon mot de passe</a> (lien valable {validity_minutes} minutes)',
                escape(lines[3]),
            ]
        ),
    )


def email_change_code(first_name: str | None, code: str, validity_minutes: int) -> Email:
    return _code_email(
        f"Confirmez votre nouvelle adresse email : {code}",
        first_name,
        "Vous avez demandé à utiliser cette adresse pour vous connecter à ComptaSecure. Saisissez ce code "
        "pour confirmer :",
        code,
        f"Ce code est valable {validity_minutes} minutes. Tant qu'il n'est pas saisi, votre ancienne adresse "
        "reste celle de connexion.",
        "Si vous n'êtes pas à l'origine de cette demande, ignorez cet email.",
    )


def email_change_requested(first_name: str | None, new_email: str) -> Email:
    lines = [
        _greeting(first_name),
        f"Une demande de changement de l'adresse email de votre compte ComptaSecure vers {new_email} vient "
        "d'être faite. Elle ne prendra effet qu'avec le code envoyé à cette nouvelle adresse.",
        "Si vous n'êtes pas à l'origine de cette demande, changez votre mot de passe et contactez le support.",
    ]
    return Email(
        subject="Demande de changement de votre adresse email ComptaSecure",
        text="\n\n".join(lines),
        html=_html([escape(line) for line in lines]),
    )


def email_changed(first_name: str | None, new_email: str) -> Email:
    lines = [
        _greeting(first_name),
        f"L'adresse email de votre compte ComptaSecure est désormais {new_email}. Cette adresse-ci ne permet "
        "plus de vous connecter, et vos autres sessions ont été fermées.",
        "Si vous n'êtes pas à l'origine de ce changement, contactez immédiatement le support ComptaSecure.",
    ]
    return Email(
        subject="Votre adresse email ComptaSecure a été modifiée",
        text="\n\n".join(lines),
        html=_html([escape(line) for line in lines]),
    )


# The notices the outbox sends by name (domain/follow_ups.email): rendered by the dispatcher from the
# parameters recorded with the change.
NOTICES: dict[str, Callable[..., Email]] = {
    "password_changed": password_changed,
    "email_change_requested": email_change_requested,
    "email_changed": email_changed,
}
