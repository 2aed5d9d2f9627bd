"""Webhooks: the endpoints administrators register, and their delivery logs."""
