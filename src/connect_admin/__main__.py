"""``python -m connect_admin``: the ``connect-admin`` command line."""

import sys

from connect_admin.server.cli import main

sys.exit(main())
