"""Alembic environment of Connect Admin, shipped inside the package (see ``migrate.py``)."""
