"""One realistic example per response model, for the front-end developers reading GET /docs.

Keyed by the model's name, so every route answering that model shows it. Request examples need no
entry: they are the bodies of the routes' sample events (events/<area>/<operation>.json). The
OpenAPI check validates each example against its schema and names any response model without one.
"""

import base64
import json
from typing import Any

ACCOUNT_ID = "3f9a1c7e5b2d4e8f9a0b1c2d3e4f5a6b"
OWNER_ID = "9f2b4c1de8a34f6b8c0d7e5a3b2c1d0e"
ADMIN_ID = "c4e8a2f61b9d4c3e8f7a6b5c4d3e2f10"
GROUP_ID = "5c8e1a7f3b9d4e2f8a6c0b1d9e7f3a25"
AT = "2026-11-28T08:00:00Z"
FEC_ID = "2b8d4f6a1c3e4b5d9f7a0c2e4b6d8f01"
SESSION_ID = "0193a1f2c3d4e5f6a7b8c9d0e1f2a3b4"
EXPORT_ID = "7e4a2c9b1d3f4a6c8e0b2d4f6a8c0e1f"

MEMBER_ID = "7a3d9e1f5c2b4a6d8e0f1a2b3c4d5e6f"
_GROUP = {
    "id": GROUP_ID,
    "name": "Équipe audit",
    "member_ids": [OWNER_ID, ADMIN_ID],
    "member_count": 2,
    "shared_fec_count": 3,
    "shared_folder_count": 1,
}
_USER = {
    "id": ADMIN_ID,
    "email": "julien.moreau@cabinet-dupont.fr",
    "first_name": "Julien",
    "last_name": "Moreau",
    "role": "admin",
    "groups": [{"id": GROUP_ID, "name": "Équipe audit"}],
    "status": "active",
    "mfa_enabled": True,
    "passkey_count": 1,
    "email_delivery": "ok",
}
# As domain/mfa.py draws them: twice 5 characters of an alphabet without 0/o, 1/l/i.


def _jwt(claims: dict[str, Any], signature: str) -> str:
    """A token shaped as ours are (HS256, our issuer and claims); its signature is made up."""

    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value, separators=(",", ":")).encode()).rstrip(b"=").decode()

    header = {"alg": "HS256", "typ": "JWT"}
    return f"{part(header)}.{part({'iss': 'comptasecure', 'iat': 1795852800} | claims)}.{signature}"


_MFA = {
    "aud": "comptasecure-mfa",
    "sub": OWNER_ID,
    "acc": ACCOUNT_ID,
    "jti": "4d7e1a9c2b5f4e8a9c3d6b0e1f2a3b4c",
    "exp": 1795853100,
}
_RECOVERY_CODES = [
    "k7m2p-x9rtq",
    "h3vnc-8waez",
    "q5dyb-j2sfu",
    "t9ghr-4mkcx",
    "w2zpe-7nvdh",
    "b8fjs-3qyta",
    "r6cwm-5xuge",
    "n4tka-9pzhb",
    "e3uxd-6rmjw",
    "y7sqv-2gcnf",
]
_TOKENS = {
    "access_token": _jwt(
        {
            "sub": OWNER_ID,
            "acc": ACCOUNT_ID,
            "sid": SESSION_ID,
            "role": "owner",
            "aud": "comptasecure-web",
            "exp": 1795853700,
        },
        "Kq3v9b2QhYz7xW1mN8pR4tL6sD0fG5jH2kA9cE3uV7o",
    ),
    "refresh_token": f"{ACCOUNT_ID}.{OWNER_ID}.{SESSION_ID}.Yk3VQm9sT2xLc0p4Rz8wN1bH6fJ2dK5gA7eC0iU3oMq",
    "token_type": "Bearer",
    "expires_in": 900,
}
_FEC = {
    "id": FEC_ID,
    "file_name": "732829320FEC20251231.txt",
    "folder": "Clients/2025",
    "imported_by": OWNER_ID,
    "imported_by_email": "claire.dupont@cabinet-dupont.fr",
    "imported_at": AT,
    "naming_warning": None,
}
_CARD = {
    "id": "pm_1QdU2aK2bHc9xYzA",
    "type": "card",
    "brand": "visa",
    "last4": "4242",
    "exp_month": 12,
    "exp_year": 2028,
    "is_default": True,
}
_FIRM = {
    "identification": "Cabinet Dupont Expertise",
    "address_line1": "12 rue de la Paix",
    "address_line2": None,
    "postal_code": "75002",
    "city": "Paris",
    "phone": "01 42 00 00 00",
    "email": "contact@cabinet-dupont.fr",
    "ordre_registration_number": "14-000123",
    "signatory_name": "Claire Dupont",
    "signatory_title": "Expert-comptable associée",
    "logo_reference": None,
}

_PASSKEY = {
    "id": "3f9c2a7d1e5b4c8a9d0e6f2b7a1c3e5d9f8b2a4c6e0d1f3a5b7c9e2d4f6a8b0c",
    "name": "Chrome sur Windows",
    "created_at": "2026-11-28T08:00:00Z",
    "last_used_at": "2026-11-30T07:45:12Z",
}
RESPONSES: dict[str, Any] = {
    "AcceptedInvitation": {"email": "julien.moreau@cabinet-dupont.fr", "status": "pending_confirmation"},
    "AccountTypeList": {
        "items": [
            {
                "id": "freemium",
                "label": "Freemium",
                "limits": {"max_users": 3, "max_groups": 1, "max_analyses_per_month": 1},
                "obtained_by": "signup",
                "is_current": True,
            },
            {
                "id": "premium",
                "label": "Premium",
                "limits": {"max_users": 10, "max_groups": 5, "max_analyses_per_month": 20},
                "obtained_by": "first_purchase",
                "is_current": False,
            },
        ]
    },
    "AccountView": {
        "id": ACCOUNT_ID,
        "name": "Cabinet Dupont",
        "type": {"id": "premium", "label": "Premium"},
        "limits": {"max_users": 10, "max_groups": 5, "max_analyses_per_month": 20},
        "usage": {"users": 2, "groups": 1},
        "owner_id": OWNER_ID,
        "can_delete": False,
        "require_mfa": True,
    },
    "AuditPage": {
        "items": [
            {
                "id": "e1d2c3b4a5964f7e8d9c0b1a2f3e4d5c",
                "at": AT,
                "actor_id": OWNER_ID,
                "actor_email": "claire.dupont@cabinet-dupont.fr",
                "action": "user.invited",
                "target_type": "user",
                "target_id": ADMIN_ID,
                "details": {"email": "julien.moreau@cabinet-dupont.fr", "role": "admin"},
            }
        ],
        "next_cursor": None,
    },
    "BillingAddressView": {
        "company_name": "Cabinet Dupont",
        "line1": "12 rue de la Paix",
        "line2": None,
        "postal_code": "75002",
        "city": "Paris",
        "country": "FR",
        "vat_number": "FR40732829320",
    },
    "CabinetView": {"fields": _FIRM},
    "CreditBalanceList": {
        "items": [{"type": "analyse_fec", "label": "Analyse FEC", "granted": 20, "consumed": 3, "remaining": 17}]
    },
    "CreditHistoryPage": {
        "items": [{"type": "analyse_fec", "delta": 20, "reason": "Achat Premium", "at": AT}],
        "next_cursor": None,
    },
    "CrmView": {"analysis_id": "ana-2025-732829320", "fields": _FIRM},
    "FecCreated": {
        **_FEC,
        "upload_url": f"https://comptasecure-fecs.s3.eu-west-3.amazonaws.com/accounts/{ACCOUNT_ID}/{FEC_ID}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=900&X-Amz-Signature=…",
    },
    "FecPage": {"items": [_FEC], "next_cursor": None},
    "GroupPage": {"items": [{"id": GROUP_ID, "name": "Équipe audit", "member_count": 2}], "next_cursor": None},
    "GroupView": _GROUP,
    "GroupUpdated": {
        **_GROUP,
        "member_ids": [OWNER_ID, ADMIN_ID, MEMBER_ID],
        "member_count": 3,
        "earlier_shares": {"fec_count": 3, "member_ids": [MEMBER_ID], "folder_count": 1},
    },
    "ReshareResult": {"granted": 3},
    "InvitationResults": {
        "results": [
            {"email": "julien.moreau@cabinet-dupont.fr", "status": "invited", "user_id": ADMIN_ID},
            {
                "email": "sans-arobase",
                "status": "error",
                "error": {
                    "code": "invalid_email",
                    "message": "Cette adresse email n'est pas valide.",
                    "field": "email",
                },
            },
        ]
    },
    "InvoicePage": {
        "items": [
            {
                "id": "in_1QdU3xK2bHc9xYzA",
                "name": "Premium — novembre 2026",
                "paid_at": AT,
                "amount_excluding_tax": 4900,
                "currency": "eur",
                "pdf_url": "https://pay.stripe.com/invoice/acct_1/in_1QdU3x/pdf",
            }
        ],
        "next_cursor": None,
    },
    "PasswordChangeResponse": {"status": "pending_confirmation"},
    "PaymentMethodList": {"items": [_CARD]},
    "PaymentMethodView": _CARD,
    "Profile": {
        "id": OWNER_ID,
        "email": "claire.dupont@cabinet-dupont.fr",
        "first_name": "Claire",
        "last_name": "Dupont",
        "phone": "06 12 34 56 78",
        "company_name": "Cabinet Dupont",
        "siren": "732829320",
        "job_title": "Expert-comptable",
        "company_size": "1-9",
        "role": "owner",
        "account_id": ACCOUNT_ID,
        "status": "active",
        "mfa_enabled": True,
        "passkey_count": 2,
    },
    "SetupIntentView": {"client_secret": "seti_1QdU5b_secret_Vx8", "setup_intent_id": "seti_1QdU5bK2bHc9xYzA"},
    "ShareResult": {"user_ids": [OWNER_ID, ADMIN_ID]},
    "FolderShareResult": {"folder": "Clients 2025", "user_ids": [ADMIN_ID, MEMBER_ID]},
    "FolderPage": {
        "items": [{"folder": "Clients 2025", "fec_count": 12, "user_ids": [MEMBER_ID]}],
        "next_cursor": None,
    },
    "PasskeyView": _PASSKEY,
    "PasskeyPage": {"items": [_PASSKEY], "next_cursor": None},
    "CreationOptions": {
        "options": {
            "rp": {"name": "ComptaSecure", "id": "app.comptasecure.fr"},
            "user": {
                "id": "OWYyYjRjMWRlOGEzNGY2YjhjMGQ3ZTVhM2IyYzFkMGU",
                "name": "claire.dupont@cabinet-dupont.fr",
                "displayName": "Claire Dupont",
            },
            "challenge": "q2xV6qvCmb1n3gRhUQmLkGb8m9bKZQZr5l1S8g0E3Zw",
            "pubKeyCredParams": [{"type": "public-key", "alg": -8}, {"type": "public-key", "alg": -7}],
            "timeout": 300000,
            "excludeCredentials": [{"id": "3u7Xk2V9pQ1sLr8mN4bT6yWc0aEfGhJi", "type": "public-key"}],
            "authenticatorSelection": {
                "residentKey": "required",
                "requireResidentKey": True,
                "userVerification": "required",
            },
            "attestation": "none",
        }
    },
    "RequestOptions": {
        "challenge_id": "Xw9vYb3k1T0yq2mQpZr8Lk4cH7nD5sA6eF2gJ1uV0oI",
        "options": {
            "challenge": "Xw9vYb3k1T0yq2mQpZr8Lk4cH7nD5sA6eF2gJ1uV0oI",
            "timeout": 300000,
            "rpId": "app.comptasecure.fr",
            "userVerification": "required",
        },
    },
    "SignupResponse": {"user_id": OWNER_ID, "account_id": ACCOUNT_ID, "status": "pending_confirmation"},
    "StatusResponse": {"status": "active"},
    "TokenResponse": _TOKENS,
    "UserPage": {"items": [_USER], "limits": {"max_users": 10, "used": 2}, "next_cursor": None},
    "UserView": _USER,
    "WebhookAck": {"outcome": "processed", "received": True},
    "MfaRequired": {
        "mfa_required": True,
        "mfa_token": _jwt(_MFA | {"pur": "enroll"}, "Pn4Hs8Qd2Fw6Jb0Lt3Ry7Ux1Ve5Ag9Mk2Oc6Tz4Ni8"),
    },
    "MfaEnrollmentRequired": {
        "mfa_enrollment_required": True,
        "mfa_token": _jwt(_MFA | {"pur": "enroll"}, "Pn4Hs8Qd2Fw6Jb0Lt3Ry7Ux1Ve5Ag9Mk2Oc6Tz4Ni8"),
    },
    "TotpEnrollment": {
        "secret": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
        "otpauth_uri": "otpauth://totp/ComptaSecure:claire.dupont%40cabinet-dupont.fr"
        "?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=ComptaSecure&algorithm=SHA1&digits=6&period=30",
    },
    "RecoveryCodes": {"recovery_codes": _RECOVERY_CODES},
    "EnrolledLogin": {**_TOKENS, "recovery_codes": _RECOVERY_CODES},
    "SessionPage": {
        "items": [
            {
                "id": SESSION_ID,
                "created_at": AT,
                "last_used_at": "2026-11-28T09:15:00Z",
                "user_agent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 Safari/605.1.15",
                "ip": "203.0.113.24",
                "current": True,
            }
        ],
        "next_cursor": None,
    },
    "EmailChangeResponse": {"status": "pending_confirmation"},
    "ExportStatus": {
        "status": "ready",
        "download_url": f"https://comptasecure-fecs.s3.eu-west-3.amazonaws.com/exports/{ACCOUNT_ID}/{EXPORT_ID}.csv?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=900&X-Amz-Signature=…",
        "expires_at": "2026-11-28T08:15:00Z",
    },
}

# Bodies that are not JSON, by route.
TEXT: dict[str, str] = {
    "GET /users/import-template": "\ufeffemail;prenom;nom;role\r\nmarie.martin@exemple.fr;Marie;Martin;utilisateur\r\n",
    "GET /audit/export": (
        "\ufeffdate;acteur_id;acteur_email;action;cible_type;cible_id;details\r\n"
        f'{AT};{OWNER_ID};claire.dupont@cabinet-dupont.fr;user.invited;user;{ADMIN_ID};"{{""role"": ""admin""}}"\r\n'
    ),
}
