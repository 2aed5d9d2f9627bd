"""Persistence tests against the real databases."""
