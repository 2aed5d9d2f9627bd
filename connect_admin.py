"""``python -m connect_admin``: the ``connect-admin`` command line, as ``python -m server``."""

import sys

from server.commandline.cli import main

if __name__ == "__main__":
    sys.exit(main())
