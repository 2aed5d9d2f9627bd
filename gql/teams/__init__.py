"""Teams: the Team type (types.py), its inputs and operations."""
