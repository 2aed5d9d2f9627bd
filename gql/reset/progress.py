"""Subscriptions: the progress of long operations (resetUsers with an operationId).

Served over graphql-transport-ws at /graphql. Only the administrator who runs
an operation can watch it (see domain/services/progress.py): anyone else waits like
an early subscriber and then gets OPERATION_NOT_FOUND.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry
from graphql import GraphQLError

from domain.error_codes import ErrorCode
from domain.errors import NotAuthenticated
from domain.principals import AdminPrincipal, Anonymous, Principal
from domain.services.progress import (
    OperationAbandoned,
    OperationLimitReached,
    OperationNotStarted,
    ProgressSnapshot,
    operation_id_problem,
)
from gql.context import Info

CREDENTIAL_ENDED = "The session or token this subscription was made with has ended."


async def _signed_in(info: Info) -> Principal:
    try:
        return await info.context.services().auth.authenticate(info.context.bearer_token)
    except NotAuthenticated:
        return Anonymous()


def _error(code: ErrorCode, message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code})


@strawberry.type(description="How far a long operation has come.")
class ResetProgress:
    operation_id: str = strawberry.field(description="The operationId the run was given.")
    done: int = strawberry.field(description="Users processed so far (each distinct ID once).")
    total: int = strawberry.field(
        description="Distinct users of the request; 0 when it was refused before any user."
    )
    finished: bool = strawberry.field(
        description="The operation is over; this is the last message of the stream."
    )

    @classmethod
    def from_snapshot(cls, operation_id: str, snapshot: ProgressSnapshot) -> ResetProgress:
        return cls(
            operation_id=operation_id,
            done=snapshot.done,
            total=snapshot.total,
            finished=snapshot.finished,
        )


@strawberry.type
class ResetProgressSubscription:
    @strawberry.subscription(
        description=(
            "The progress of the caller's resetUsers run with this operationId: a message "
            "when it starts and after each batch of users (a slow subscriber may skip "
            "some), the last one with finished: true, then the stream completes. "
            "Subscribe before or after the mutation starts, on any server process: an "
            "operation that has not started yet is awaited (about a minute), a finished "
            "one answers its final state at once. Only the administrator who runs the "
            "operation can watch it; for anyone else, and for an operation that never "
            "starts, the answer is OPERATION_NOT_FOUND. A run whose server process ended "
            "before it finished answers OPERATION_ABANDONED, about five minutes later. "
            "OPERATION_LIMIT_REACHED: you watch too many operations at once."
        )
    )
    async def reset_progress(
        self,
        info: Info,
        operation_id: Annotated[
            str,
            strawberry.argument(
                description="The operationId given to resetUsers, by you (or one of your "
                "API tokens)."
            ),
        ],
    ) -> AsyncGenerator[ResetProgress, None]:
        # A websocket lives long: check its token again, as if this were a new request.
        principal = await _signed_in(info)
        if isinstance(principal, Anonymous):
            raise _error(ErrorCode.UNAUTHENTICATED, "Sign in first: no valid bearer token.")
        if not isinstance(principal, AdminPrincipal):
            raise _error(ErrorCode.FORBIDDEN, "Not allowed: administrators only.")
        if operation_id_problem(operation_id) is not None:
            # resetUsers refuses such an id: no operation can have it.
            raise _error(ErrorCode.OPERATION_NOT_FOUND, "No operation has this id.")
        broker = info.context.progress
        try:
            # aclosing: a subscriber that leaves ends the broker's watch at once.
            async with contextlib.aclosing(
                broker.watch(principal.admin_id, operation_id)
            ) as states:
                async for snapshot in states:
                    # Nothing reaches a credential that ended meanwhile (the socket
                    # closes too: server/http/sockets.py).
                    if isinstance(await _signed_in(info), Anonymous):
                        raise _error(ErrorCode.UNAUTHENTICATED, CREDENTIAL_ENDED)
                    yield ResetProgress.from_snapshot(operation_id, snapshot)
        except OperationNotStarted:
            raise _error(
                ErrorCode.OPERATION_NOT_FOUND,
                f"No operation {operation_id!r} of yours started within "
                f"{broker.wait_timeout:g} seconds.",
            ) from None
        except OperationAbandoned:
            raise _error(
                ErrorCode.OPERATION_ABANDONED,
                f"Operation {operation_id!r} stopped reporting before it finished: the "
                "server process that ran it has ended. Its users show what it did.",
            ) from None
        except OperationLimitReached:
            raise _error(
                ErrorCode.OPERATION_LIMIT_REACHED, "You watch too many operations at once."
            ) from None
