"""Users: the User type with its relationships and contacts (types.py), the filter,
the inputs and the operations."""
