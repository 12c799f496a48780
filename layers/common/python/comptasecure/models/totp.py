"""A new TOTP secret, to enrol at login or from the security settings."""

from pydantic import BaseModel, Field


class TotpEnrollment(BaseModel):
    secret: str = Field(description="Base32 shared secret, shown once")
    otpauth_uri: str = Field(description="otpauth://totp/… for a QR code (SHA-1, 6 digits, 30 s)")
