"""The device a request comes from, as API Gateway saw it (never a header the client could forge)."""

from typing import Any

from comptasecure.domain.user_sessions import Device


def device_of(resolver: Any) -> Device:
    http = resolver.current_event.request_context.http
    return Device(user_agent=str(http.user_agent or ""), ip=str(http.source_ip or ""))
