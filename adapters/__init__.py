"""Adapters of the ports that need no database and no mail server: hashing, clock,
randomness, secrets at rest, the query cost budgets. ``server/container.py`` wires them."""
