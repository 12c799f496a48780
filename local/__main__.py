"""`make run`: the ports first (a taken one is one line, before any emulator starts), then the run."""

import sys

from local import ports

try:
    taken = ports.take()
except ports.PortTaken as error:
    sys.exit(str(error))

# After the ports: importing the emulators takes seconds.
from local.server import main

main(taken, sys.argv[1:])
