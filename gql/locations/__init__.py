"""Locations and their configuration groups: their types (types.py), the settings
they give (values.py), inputs and operations."""
