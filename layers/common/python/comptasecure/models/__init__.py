"""Pydantic models of what crosses the HTTP edge (API.md), one module per route or family of routes: a
handler builds only the models it uses when imported. Unknown request fields are refused."""

from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

from comptasecure.validation import refuse_control_characters


class Request(BaseModel):
    """A request body (or an IAM-invoked function's input): no unknown field, no control character.

    The check runs on every field's raw input, before stripping, so a model cannot forget it and a
    trailing CR/LF is refused rather than silently cut. Nested models check their own fields, so the
    error names the innermost field (`fields.city`).
    """

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _single_line_text(cls, value: Any) -> Any:
        return refuse_control_characters(value)
