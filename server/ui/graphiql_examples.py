"""The examples GraphiQL opens with, one tab each (GraphiQL's ``defaultTabs``).

They reach the page as a JSON data block (``examples_json``), which the browser
does not run, so the Content-Security-Policy stays as strict as before.
GraphiQL shows them only while the browser has no tabs of its own stored: a
returning visitor keeps the tabs it left. ``tests/docs/test_graphiql_examples.py``
validates each against the schema and runs them against the demo data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

# What a tab's Headers hold until the token of SignIn is
# pasted in.
TOKEN_PLACEHOLDER = "cas_…"
HEADERS = {"Authorization": f"Bearer {TOKEN_PLACEHOLDER}"}
# The demo data's bernd.mueller (IDs are listed by the
# UsersPage tab).
DEMO_USER_ID = "VXNlcjoy"
OPERATION_ID = "reset-1"


@dataclass(frozen=True)
class Example:
    """One tab: its document (GraphiQL titles the tab by the operation's name), variables
    and headers."""

    query: str
    variables: dict[str, Any]
    headers: dict[str, str] | None = None

    def tab(self) -> dict[str, str]:
        tab = {
            "query": self.query,
            "variables": json.dumps(self.variables, indent=2, ensure_ascii=False),
        }
        if self.headers is not None:
            tab["headers"] = json.dumps(self.headers, indent=2, ensure_ascii=False)
        return tab


SIGN_IN = Example(
    query="""\
# Welcome to GraphiQL for Connect Admin.
# Each tab above is an example.
#
# 1. Sign in: type the password into
#    Variables (below) and run this tab
#    (Ctrl-Enter, or the play button). The
#    demo data's administrators and their
#    passwords are in README.md, "Signing in".
# 2. Copy the token into the Headers of each
#    other tab:
#      { "Authorization": "Bearer cas_…" }
#    A partner integration sends an API token
#    (cat_…, made by createApiToken) the same
#    way.
#
# Expected failures come back in a payload's
# errors, each with a stable code (here
# INVALID_CREDENTIALS); a call without a
# valid token gets a GraphQL error with
# extensions.code UNAUTHENTICATED.
mutation SignIn(
  $login: String!
  $password: String!
) {
  adminSignIn(
    login: $login
    password: $password
  ) {
    token
    errors { code message }
  }
}
""",
    variables={"login": "admin", "password": ""},
)

USERS_PAGE = Example(
    query="""\
# The users, a page at a time, as the Web
# Administration lists them. Next page: set
# "after" to pageInfo.endCursor. "search"
# matches login, names and e-mail.
query UsersPage(
  $first: Int!
  $after: String
  $search: String
) {
  users(
    first: $first
    after: $after
    filter: {search: $search}
  ) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      node {
        id
        login
        displayName
        email
        isVip
        blocked
        location { name }
        configurationGroup { name }
      }
    }
  }
}
""",
    variables={"first": 20, "after": None, "search": None},
    headers=HEADERS,
)

RESET_USERS = Example(
    query=f"""\
# Reset users, checked first: with dryRun
# nothing is stored or sent, and the results
# say what would happen, warnings included.
# "ids" come from the UsersPage tab
# ({DEMO_USER_ID} is bernd.mueller in the demo
# data).
#
# To reset, set dryRun to false. Follow a long
# run in the ResetProgress tab: start it there
# first, then run this one with the same
# operationId.
mutation ResetUsers(
  $ids: [ID!]!
  $options: ResetUsersOptions!
  $dryRun: Boolean!
  $operationId: String
) {{
  resetUsers(
    ids: $ids
    options: $options
    dryRun: $dryRun
    operationId: $operationId
  ) {{
    succeeded
    failed
    errors {{ code message field }}
    results {{
      userId
      status
      user {{ login displayName }}
      actions {{
        action status changes
        errors {{ code message }}
      }}
      warnings {{ code message }}
    }}
  }}
}}
""",
    variables={
        "ids": [DEMO_USER_ID],
        "options": {
            "setRandomPassword": True,
            "setRandomVoicemailPin": True,
            "resetRelationships": True,
            "resetClientSettings": True,
            "resetPresenceSettings": True,
            "repairContactList": True,
        },
        "dryRun": True,
        "operationId": OPERATION_ID,
    },
    headers=HEADERS,
)

RESET_PROGRESS = Example(
    query="""\
# How far a reset has come, over a websocket:
# start this first, then run the ResetUsers
# tab with the same operationId. It answers
# after each batch of 100 users, last with
# finished: true. Within 5 minutes of its end
# a run answers its final state at once; an
# id no run of yours has answers
# OPERATION_NOT_FOUND (after waiting up to a
# minute for it to start).
subscription ResetProgress(
  $operationId: String!
) {
  resetProgress(operationId: $operationId) {
    operationId
    done
    total
    finished
  }
}
""",
    variables={"operationId": OPERATION_ID},
    headers=HEADERS,
)

EXAMPLES = (SIGN_IN, USERS_PAGE, RESET_USERS, RESET_PROGRESS)

EXAMPLES_ELEMENT_ID = "graphiql-examples"


def examples_json() -> str:
    """The tabs as JSON that is safe inside a ``<script type="application/json">``
    element: no ``<``, ``>`` or ``&`` that could end it."""
    text = json.dumps([example.tab() for example in EXAMPLES], ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
