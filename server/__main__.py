"""``python -m server``: the ``connect-admin`` command line."""

import sys

from server.commandline.cli import main

sys.exit(main())
