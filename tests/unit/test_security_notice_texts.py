"""The security notice's words (R-MFA-6): every change it knows renders, in Paris time, naming the device."""

import pytest

from comptasecure.domain.user_sessions import Device
from comptasecure.emails import templates


@pytest.mark.parametrize(
    ("at", "shown"),
    [
        ("2026-11-28T08:00:00.000000Z", "le 28/11/2026 à 09:00 (heure de Paris)"),  # winter: UTC+1
        ("2026-07-14T10:30:00Z", "le 14/07/2026 à 12:30 (heure de Paris)"),  # summer: UTC+2
        ("2026-03-29T00:59:00Z", "le 29/03/2026 à 01:59 (heure de Paris)"),  # the last minute of winter time
        ("2026-03-29T01:00:00Z", "le 29/03/2026 à 03:00 (heure de Paris)"),  # clocks go forward at 01:00 UTC
        ("2026-10-25T00:59:00Z", "le 25/10/2026 à 02:59 (heure de Paris)"),
        ("2026-10-25T01:00:00Z", "le 25/10/2026 à 02:00 (heure de Paris)"),  # and back
        ("2026-12-31T23:30:00Z", "le 01/01/2027 à 00:30 (heure de Paris)"),
    ],
)
def test_times_are_shown_in_paris_time_with_its_summer_time(at: str, shown: str) -> None:
    assert templates.paris_time(at) == shown


@pytest.mark.parametrize("change", sorted(templates.SECURITY_CHANGES))
def test_every_change_renders_what_when_where_and_advice(change: str) -> None:
    email = templates.security_changed(
        "Claire", change, "2026-11-28T08:00:00Z", "Firefox sur Linux", "203.0.113.7", "X"
    )
    assert email.subject == templates.SECURITY_CHANGES[change].subject
    assert email.text.startswith("Bonjour Claire,")
    assert "Date : le 28/11/2026 à 09:00 (heure de Paris)." in email.text
    assert "Appareil : Firefox sur Linux, adresse IP : 203.0.113.7." in email.text
    assert templates.SECURITY_CHANGES[change].advice in email.text
    assert "{detail}" not in email.text


def test_a_notice_recorded_before_its_time_and_device_existed_still_renders() -> None:
    email = templates.NOTICES["password_changed"](first_name=None)
    assert email.text.startswith("Bonjour,") and "Date" not in email.text and "Appareil" not in email.text


def test_html_escapes_what_a_client_sent() -> None:
    email = templates.security_changed(None, "passkey_added", "2026-11-28T08:00:00Z", "<script>", None, "<b>clé</b>")
    assert "<script>" not in email.html and "&lt;script&gt;" in email.html and "&lt;b&gt;clé" in email.html


@pytest.mark.parametrize(
    ("user_agent", "described"),
    [
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36 Edg/131.0",
         "Edge sur Windows"),
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 Version/18.1 Mobile Safari/604.1",
         "Safari sur iPhone"),
        ("Mozilla/5.0 (Linux; Android 15; Pixel 9) AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36",
         "Chrome sur Android"),
        ("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox sur Linux"),
        ("curl/8.5.0", None),
        ("", None),
    ],
)  # fmt: skip
def test_a_device_is_named_as_a_person_would(user_agent: str, described: str | None) -> None:
    assert Device(user_agent, "203.0.113.7").description == described
