"""The local run's ports, taken before anything starts: a taken one is one line naming its variable.

``python -m local`` calls ``take()`` before it imports the emulators (moto, localstripe): a port in
use answers in a moment, with no traceback, instead of after the emulators have started. The sockets
taken are handed on listening, so no other program can take a port between the check and its use.
"""

import os
import socket
from dataclasses import dataclass

API_DEFAULT_PORT = 3000
# localstripe's own default port (its --port): stable across runs, so the front end's Stripe.js URL is too.
STRIPE_DEFAULT_PORT = 8420


class PortTaken(Exception):
    """A port the run was told to use is not free; the message is the one line the run answers."""


@dataclass
class Ports:
    api: socket.socket
    stripe: socket.socket | None
    """None with real Stripe test mode (STRIPE_API_KEY)."""
    note: str | None = None
    """Said at start when the Stripe emulator could not have its usual port."""


def listen(port: int) -> socket.socket:
    """A listening socket on 127.0.0.1 (0: any free port); OSError when the port is taken."""
    listening = socket.socket()
    try:
        listening.bind(("127.0.0.1", port))
        listening.listen(128)
    except OSError:
        listening.close()
        raise
    return listening


def _number(variable: str, default: int) -> int:
    value = os.environ.get(variable, "")
    if not value:
        return default
    if not value.isdigit() or not 0 <= int(value) < 65536:
        raise PortTaken(f"{variable}={value!r} is not a port number (1-65535, or 0 for any free port).")
    return int(value)


def _take(variable: str, default: int) -> socket.socket:
    port = _number(variable, default)
    try:
        return listen(port)
    except OSError as error:
        raise PortTaken(
            f"{variable} {port} is already in use ({error.strerror}): stop what uses it, "
            f"or choose another port, e.g. {variable}={port + 1} make run"
        ) from None


def take() -> Ports:
    """The API's port (PORT, default 3000) and, unless real Stripe is used, the Stripe emulator's
    (STRIPE_PORT; by default 8420, or any free port when 8420 is taken). 0 is any free port, taken
    here at once: what a program starting runs side by side uses, reading the banner for the URLs
    (a free port found by its parent could be taken by another between the check and the bind)."""
    api = _take("PORT", API_DEFAULT_PORT)
    try:
        if os.environ.get("STRIPE_API_KEY"):
            return Ports(api, None)
        if os.environ.get("STRIPE_PORT"):
            return Ports(api, _take("STRIPE_PORT", STRIPE_DEFAULT_PORT))
        try:
            return Ports(api, listen(STRIPE_DEFAULT_PORT))
        except OSError:
            stripe = listen(0)
            note = (
                f"Stripe emulator: port {STRIPE_DEFAULT_PORT} is taken, so it is on {stripe.getsockname()[1]} "
                f"this time (STRIPE_PORT fixes it)."
            )
            return Ports(api, stripe, note)
    except PortTaken:
        api.close()
        raise
