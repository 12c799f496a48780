"""The French emails the back end sends, each as subject, plain text and HTML."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
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


@dataclass(frozen=True)
class SecurityChange:
    """A change to someone's security settings, as its notice tells it (R-MFA-6)."""

    subject: str
    what: str
    """What changed; ``{detail}`` is the change's detail (a passkey's or a token's name, an address)."""
    advice: str
    """What to do if it was not them."""


SUPPORT = "contactez le support ComptaSecure"
SECURITY_CHANGES: dict[str, SecurityChange] = {
    "mfa_enabled": SecurityChange(
        "Double authentification activée sur votre compte ComptaSecure",
        "La double authentification a été activée sur votre compte ComptaSecure. Vos autres sessions ont été fermées.",
        f"Si vous n'êtes pas à l'origine de ce changement, changez immédiatement votre mot de passe et {SUPPORT} : "
        "quelqu'un a peut-être accès à votre session.",
    ),
    "mfa_disabled": SecurityChange(
        "Double authentification désactivée sur votre compte ComptaSecure",
        "La double authentification a été désactivée sur votre compte ComptaSecure. Vos autres sessions ont été "
        "fermées.",
        "Si vous n'êtes pas à l'origine de ce changement, changez immédiatement votre mot de passe, réactivez la "
        f"double authentification dans « Sécurité du compte » et {SUPPORT}.",
    ),
    "passkey_added": SecurityChange(
        "Nouvelle clé d'accès sur votre compte ComptaSecure",
        "Une clé d'accès (« {detail} ») a été ajoutée à votre compte ComptaSecure : elle permet de vous "
        "connecter sans mot de passe.",
        "Si vous n'êtes pas à l'origine de cet ajout, supprimez cette clé d'accès dans « Sécurité du compte », "
        f"changez votre mot de passe et {SUPPORT}.",
    ),
    "passkey_removed": SecurityChange(
        "Clé d'accès supprimée de votre compte ComptaSecure",
        "La clé d'accès « {detail} » a été supprimée de votre compte ComptaSecure : elle ne permet plus de vous "
        "connecter.",
        f"Si vous n'êtes pas à l'origine de cette suppression, changez immédiatement votre mot de passe et {SUPPORT}.",
    ),
    "password_changed": SecurityChange(
        "Votre mot de passe ComptaSecure a été modifié",
        "Le mot de passe de votre compte ComptaSecure vient d'être modifié. Vos autres sessions ont été fermées.",
        f"Si vous n'êtes pas à l'origine de ce changement, {SUPPORT} immédiatement : votre compte est peut-être "
        "entre d'autres mains.",
    ),
    "email_change_requested": SecurityChange(
        "Demande de changement de votre adresse email ComptaSecure",
        "Une demande de changement de l'adresse email de votre compte ComptaSecure vers {detail} vient d'être "
        "faite. Elle ne prendra effet qu'avec le code envoyé à cette nouvelle adresse.",
        f"Si vous n'êtes pas à l'origine de cette demande, changez votre mot de passe et {SUPPORT}.",
    ),
    "email_changed": SecurityChange(
        "Votre adresse email ComptaSecure a été modifiée",
        "L'adresse email de votre compte ComptaSecure est désormais {detail}. Cette adresse-ci ne permet plus de "
        "vous connecter, et vos autres sessions ont été fermées.",
        f"Si vous n'êtes pas à l'origine de ce changement, {SUPPORT} immédiatement.",
    ),
    # To the owner, for the account's enterprise identity settings (R-ENT, R-MFA-6).
    "sso_configured": SecurityChange(
        "Connexion unique (SSO) modifiée sur votre compte ComptaSecure",
        "La connexion unique (SSO) de votre compte ComptaSecure a été configurée ou modifiée ({detail}).",
        "Si vous n'êtes pas à l'origine de ce changement, vérifiez les réglages SSO dans « Identité "
        f"d'entreprise », changez votre mot de passe et {SUPPORT}.",
    ),
    "sso_removed": SecurityChange(
        "Connexion unique (SSO) supprimée de votre compte ComptaSecure",
        "La connexion unique (SSO) de votre compte ComptaSecure a été supprimée ({detail}).",
        f"Si vous n'êtes pas à l'origine de ce changement, changez votre mot de passe et {SUPPORT}.",
    ),
    "scim_token_created": SecurityChange(
        "Nouveau jeton SCIM sur votre compte ComptaSecure",
        "Un jeton SCIM (« {detail} ») a été créé sur votre compte ComptaSecure : il permet de créer, modifier et "
        "désactiver les utilisateurs du compte.",
        "Si vous n'êtes pas à l'origine de cette création, supprimez ce jeton dans « Identité d'entreprise », "
        f"changez votre mot de passe et {SUPPORT}.",
    ),
    "scim_token_deleted": SecurityChange(
        "Jeton SCIM supprimé de votre compte ComptaSecure",
        "Le jeton SCIM « {detail} » a été supprimé de votre compte ComptaSecure : il ne fonctionne plus.",
        "Si vous n'êtes pas à l'origine de cette suppression, la synchronisation de vos utilisateurs avec votre "
        f"fournisseur d'identité est interrompue : changez votre mot de passe et {SUPPORT}.",
    ),
}


def security_changed(
    first_name: str | None,
    change: str,
    at: str | None = None,
    device: str | None = None,
    ip: str | None = None,
    detail: str | None = None,
) -> Email:
    """The notice of a change to security settings (R-MFA-6): what changed, when, from which device and
    address, and what to do if it was not them.

    - ``first_name``: whom it greets (the user; the owner for the account's SSO and SCIM settings);
    - ``change``: a key of SECURITY_CHANGES (``mfa_enabled``, ``mfa_disabled``, ``passkey_added``,
      ``passkey_removed``, ``password_changed``, ``email_change_requested``, ``email_changed``,
      ``sso_configured``, ``sso_removed``, ``scim_token_created``, ``scim_token_deleted``);
    - ``at``: when, ISO 8601 UTC (``comptasecure.clock.iso``), shown in Paris time;
    - ``device``: what the request came from (``Device.description`` or its User-Agent), ``ip`` its
      address, as API Gateway saw them (``http/device.py`` ``device_of``);
    - ``detail``: what the change's sentence names (the passkey's or the token's name, the new address,
      the SSO issuer).

    Every parameter but the first two may be absent (a notice recorded before they existed renders too).
    """
    known = SECURITY_CHANGES[change]
    # A notice recorded with its time says where from too, even when the device is unknown.
    when = f"Date : {paris_time(at)}." if at else None
    where = f"Appareil : {device or 'inconnu'}, adresse IP : {ip or 'inconnue'}." if at else None
    lines = [
        line
        for line in (_greeting(first_name), known.what.format(detail=detail or ""), when, where, known.advice)
        if line
    ]
    return Email(subject=known.subject, text="\n\n".join(lines), html=_html([escape(line) for line in lines]))


def password_changed(
    first_name: str | None, at: str | None = None, device: str | None = None, ip: str | None = None
) -> Email:
    return security_changed(first_name, "password_changed", at, device, ip)


def email_change_requested(
    first_name: str | None, new_email: str, at: str | None = None, device: str | None = None, ip: str | None = None
) -> Email:
    return security_changed(first_name, "email_change_requested", at, device, ip, detail=new_email)


def email_changed(
    first_name: str | None, new_email: str, at: str | None = None, device: str | None = None, ip: str | None = None
) -> Email:
    return security_changed(first_name, "email_changed", at, device, ip, detail=new_email)


def paris_time(at: str) -> str:
    """``2026-11-28T08:00:00Z`` -> ``le 28/11/2026 à 09:00 (heure de Paris)``.

    France follows the EU's summer time (Directive 2000/84/EC): UTC+2 from the last Sunday of March,
    01:00 UTC, to the last Sunday of October, 01:00 UTC; UTC+1 otherwise. Computed here rather than read
    from a time-zone database, which Lambda's runtime does not promise to ship.
    """
    moment = datetime.fromisoformat(at.replace("Z", "+00:00")).astimezone(UTC)
    summer = _last_sunday(moment.year, 3) <= moment < _last_sunday(moment.year, 10)
    local = moment + timedelta(hours=2 if summer else 1)
    return f"le {local:%d/%m/%Y} à {local:%H:%M} (heure de Paris)"


def _last_sunday(year: int, month: int) -> datetime:
    """01:00 UTC on the month's last Sunday."""
    last_day = datetime(year + month // 12, month % 12 + 1, 1, 1, tzinfo=UTC) - timedelta(days=1)
    return last_day - timedelta(days=(last_day.weekday() - 6) % 7)


# The notices the outbox sends by name (domain/follow_ups.email): rendered by the dispatcher from the
# parameters recorded with the change.
NOTICES: dict[str, Callable[..., Email]] = {
    "security_changed": security_changed,
    "password_changed": password_changed,
    "email_change_requested": email_change_requested,
    "email_changed": email_changed,
}
