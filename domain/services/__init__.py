"""Use cases. Each is a verb function: ``await create_user(deps, actor, …)``.

A service checks who may do it, validates, changes entities through the unit
of work, records an audit event and commits. Expected failures raise
``DomainError``; the caller's role ``Forbidden`` or ``NotAuthenticated``.
"""
