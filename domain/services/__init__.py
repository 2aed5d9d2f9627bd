"""Use cases. Each service is a class built with exactly the ports it uses
(``Locations(uow, clock)``); ``registry.Services`` holds them all for one caller:
``await services.users.create_user(actor, …)``.

A service checks who may do it, validates, changes entities through the unit
of work, records an audit event and commits. Expected failures raise
``DomainError``; the caller's role ``Forbidden`` or ``NotAuthenticated``.
"""
