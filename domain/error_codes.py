"""Every error code the API answers with, and what it means: the one place a code is made.

A code reaches a client as a payload's ``UserError.code`` (an expected failure of a
mutation, a reset action's error or warning, or a problem listed under a
``BAD_USER_INPUT`` error), or as a GraphQL error's ``extensions.code`` (the request
itself was refused: the caller, the limits, the server). Every raise site names its
code from here, so a typo is an AttributeError, not a new code; docs/errors.md is
generated from this module (``connect-admin export-errors``) and a test keeps every
code here in use and every code in use here (tests/test_error_codes.py).
"""

from __future__ import annotations

from enum import StrEnum, auto


class ErrorCode(StrEnum):
    """A stable, machine-readable code; its value is its name, ``meaning`` says what it
    means for the client."""

    meaning: str

    def __new__(cls, code: str, meaning: str) -> ErrorCode:
        member = str.__new__(cls, code)
        member._value_ = code
        member.meaning = meaning
        return member

    @staticmethod
    def _generate_next_value_(name: str, start: int, count: int, last_values: list[str]) -> str:
        return name

    # ---- not found (also: outside the caller's locations) -------------------------------
    ADMINISTRATOR_NOT_FOUND = auto(), "No administrator has this ID."
    API_TOKEN_NOT_FOUND = auto(), "No API token the caller may see has this ID."
    CONFIGURATION_GROUP_NOT_FOUND = (
        auto(),
        (
            "No configuration group has this ID, or it is outside the caller's locations "
            "or not in the user's location."
        ),
    )
    DIRECTORY_DATA_SOURCE_NOT_FOUND = auto(), "No directory data source has this ID."
    LOCATION_NOT_FOUND = (
        auto(),
        ("No location has this ID, or it is outside the caller's locations."),
    )
    TEAM_NOT_FOUND = auto(), "No team has this ID, or it is not within the caller's locations."
    USER_NOT_FOUND = (
        auto(),
        (
            "No user has this ID or login, or the user is outside the caller's locations "
            "(the same answer, so that nothing outside is revealed)."
        ),
    )
    RESET_JOB_NOT_FOUND = (
        auto(),
        "No reset job has this ID, or it is another administrator's (a sub-administrator's).",
    )
    WEBHOOK_ENDPOINT_NOT_FOUND = auto(), "No webhook endpoint the caller may see has this ID."
    INVALID_CURSOR = auto(), "`after` or `before` is no cursor of this connection."

    # ---- input values -------------------------------------------------------------------
    REQUIRED = auto(), "The field must not be empty (or null)."
    VALUE_TOO_LONG = auto(), "The text is longer than its field allows (the message says how long)."
    VALUE_TOO_DEEP = auto(), "A JSON value nests arrays and objects more than 20 deep."
    VALUE_TOO_LARGE = auto(), "A JSON value is larger than 16 KiB encoded."
    VALUE_OUT_OF_RANGE = (
        auto(),
        ("A number in a JSON value is not finite or does not fit in 64 bits (signed)."),
    )
    INVALID_CHARACTERS = (
        auto(),
        (
            "The text contains NUL, or (for what goes into a mail header or address) a line "
            "break or another control character."
        ),
    )
    INVALID_JSON = auto(), "Not a JSON value (e.g. an object key that is not text)."
    INVALID_LOGIN = auto(), "A login has 1 to 64 letters, digits and . _ @ - only."
    INVALID_EMAIL = (
        auto(),
        (
            "Not an address every mail server carries: ASCII letters, digits and "
            "!#$%&'*+-/=?^_`{|}~ in dot-separated words before the @, a domain name after it "
            "(an international one is kept in its ASCII form, xn--…); the message says which."
        ),
    )
    INVALID_HOST = auto(), "A host name or address, without spaces."
    INVALID_PHONE = auto(), "A phone number has digits, spaces and + ( ) / - only."
    INVALID_PORT = auto(), "A port from 1 to 65535."
    INVALID_PAGE_SIZE = (
        auto(),
        "`first` or `last` is negative or above the largest page size, or both are given.",
    )
    INVALID_SETTING_KEY = auto(), "A setting's key is empty or blank."
    DUPLICATE_SETTING_KEY = auto(), "The same setting key appears twice in one list."
    INVALID_PASSWORD_POLICY = auto(), "The password policy contradicts itself or its limits."
    INVALID_OPERATION_ID = auto(), "An operation ID has 1 to 128 characters."
    INVALID_TARGET = auto(), "A relationship points at the user itself."
    INVALID_CONTACT = (
        auto(),
        ("A contact names both or neither of a user and a data source's entry, or the caller."),
    )

    # ---- conflicts with what is stored --------------------------------------------------
    LOGIN_TAKEN = auto(), "Another user (or administrator) has this login."
    WORK_PHONE_TAKEN = auto(), "Another user has this work phone."
    NAME_TAKEN = (
        auto(),
        ("Another location, data source, or configuration group of the location, has this name."),
    )
    CONTACT_EXISTS = auto(), "The contact list has this contact already."
    DATA_SOURCE_INACTIVE = auto(), "The directory data source is deactivated."
    LOCATION_IN_USE = (
        auto(),
        ("Users, configuration groups or sub-administrators limited to the location remain."),
    )
    CONFIGURATION_GROUP_IN_USE = auto(), "Users still belong to the configuration group."
    TEAM_NEEDS_MEMBER = auto(), "A team keeps at least one member."
    LAST_TEAM_MEMBER = auto(), "The user is the last member of a team; delete the team first."
    OWN_ACCOUNT = auto(), "An administrator cannot block or delete its own account."
    LAST_SYSTEM_ADMINISTRATOR = (
        auto(),
        ("The last system administrator who is not blocked cannot be blocked or deleted."),
    )
    RELATIONSHIP_POLICY = (
        auto(),
        ("The location's policy is EXTEND_ONLY: no level below the default for that target."),
    )

    # ---- signing in and passwords -------------------------------------------------------
    INVALID_CREDENTIALS = (
        auto(),
        ("Wrong login or password (the same for an unknown login), or a wrong current password."),
    )
    ACCOUNT_BLOCKED = auto(), "The account is blocked."
    TOO_MANY_PASSWORD_LINK_REQUESTS = (
        auto(),
        (
            "Too many set-password link requests from this client address, or for this "
            "login or e-mail address, within 15 minutes; try again later."
        ),
    )
    TOO_MANY_ATTEMPTS = (
        auto(),
        (
            "10 failed sign-ins for this login within 15 minutes: refused for 15 minutes "
            "(even with the right password)."
        ),
    )
    TEMPORARY_PASSWORD_EXPIRED = (
        auto(),
        (
            "The random password of a reset was not used in time; an administrator must set a "
            "new one."
        ),
    )
    PASSWORD_POLICY = auto(), "The password does not meet the location's password policy."
    PASSWORD_UNCHANGED = auto(), "The new password equals the current one."

    NOT_A_SESSION = (
        auto(),
        "signOut with an API token: it is no session; revokeApiToken ends it.",
    )

    # ---- voicemail ----------------------------------------------------------------------
    INVALID_PIN = auto(), "Wrong voicemail PIN (the try counts)."
    PIN_LOCKED = auto(), "5 wrong PINs: the PIN is locked for 15 minutes."
    NO_PIN = auto(), "The user has no voicemail PIN."

    # ---- mail ---------------------------------------------------------------------------
    USER_BLOCKED = (
        auto(),
        (
            "The user is blocked: a reset makes and mails no password or PIN it could not "
            "use (unblock it first); the other actions run."
        ),
    )
    EMAIL_MISSING = auto(), "The user has no e-mail address, so nothing can be mailed to it."
    EMAIL_INVALID = auto(), "The user's stored e-mail address cannot be sent to."
    MAIL_GATEWAY_NOT_CONFIGURED = auto(), "No E-Mail Gateway is configured."
    MAIL_GATEWAY_INVALID = (
        auto(),
        (
            "The stored E-Mail Gateway has a field that cannot go into a mail header, or its "
            "password was encrypted with another CONNECT_SECRET_KEY (the message says which)."
        ),
    )
    MAIL_DELIVERY_FAILED = auto(), "The SMTP server refused the test mail (its reply is quoted)."
    LANGUAGE_UNKNOWN = auto(), "No mails exist in this language (the message names those that do)."
    MAIL_TEMPLATE_SYNTAX_ERROR = (
        auto(),
        "A part of the mail template is not valid Jinja, or names a filter it cannot use "
        "(the message names the part and the line).",
    )
    MAIL_TEMPLATE_UNKNOWN_VARIABLE = (
        auto(),
        "The mail template names a variable its kind of mail does not have (the message "
        "lists those it has).",
    )
    MAIL_TEMPLATE_UNSAFE = (
        auto(),
        "The mail template reaches for what the sandbox does not offer: an attribute or "
        "method (such as `''.__class__`), a loop, `set`, an include, `**`.",
    )
    MAIL_TEMPLATE_RENDER_FAILED = (
        auto(),
        "The mail template failed when rendered with sample data (the message says how).",
    )

    # ---- resets -------------------------------------------------------------------------
    NO_OPTION_SELECTED = auto(), "A reset needs at least one option."
    TOO_MANY_USERS = auto(), "More than 10,000 user IDs in one reset or undo."
    IDS_AND_SELECTION = auto(), "A reset takes either user IDs or a selection, not both."
    RESET_JOB_FINISHED = auto(), "The reset job has finished: there is nothing to cancel."
    NOT_STORED = auto(), "Storing the user's changes failed; nothing of the user was changed."
    VIP_RELATIONSHIPS_DELETED = (
        auto(),
        ("Warning: the user is a VIP and loses every relationship, defaults included."),
    )
    CONTACTS_REMOVED = auto(), "Warning: contacts from deactivated data sources are removed."
    OPERATION_ID_IN_USE = auto(), "The caller has a running operation with this ID."
    OPERATION_LIMIT_REACHED = (
        auto(),
        ("The caller runs, or watches, too many operations at once; try again later."),
    )
    # ---- undoing a reset ----------------------------------------------------------------
    RESET_NOT_FOUND = auto(), "No reset the caller may undo has this ID."
    UNDO_EXPIRED = (
        auto(),
        "What the reset removed is no longer kept (CONNECT_RESET_UNDO_DAYS have passed).",
    )
    ALREADY_UNDONE = auto(), "This reset was undone for the user before; nothing changed."
    UNDO_CONFLICT = (
        auto(),
        "Warning: the user changed the item after the reset; the newer value is kept.",
    )
    UNDO_ITEM_GONE = (
        auto(),
        "Warning: the relationship's other user was deleted since the reset; not restored.",
    )

    # ---- webhooks -----------------------------------------------------------------------
    WEBHOOK_URL_INVALID = (
        auto(),
        "Not an absolute https URL, or one with a user name, password or fragment.",
    )
    WEBHOOK_URL_NOT_ALLOWED = (
        auto(),
        "Webhooks go over https to public addresses only: not plain http, not this host, "
        "not a loopback, private, link-local or reserved address, unless the operator "
        "allows them (CONNECT_WEBHOOKS_ALLOW_PRIVATE).",
    )
    TOO_MANY_WEBHOOK_ENDPOINTS = (
        auto(),
        "The administrator has as many webhook endpoints as allowed (20); delete one first.",
    )

    OPERATION_NOT_FOUND = auto(), "No operation of the caller's has this ID (resetProgress)."
    OPERATION_ABANDONED = (
        auto(),
        ("The operation's process stopped before it finished (resetProgress)."),
    )

    # ---- the request (GraphQL errors' extensions.code) ----------------------------------
    GRAPHQL_PARSE_FAILED = auto(), "The document is not GraphQL: it does not parse."
    GRAPHQL_VALIDATION_FAILED = (
        auto(),
        "The document does not fit the schema (an unknown field, a missing argument, …).",
    )
    UNAUTHENTICATED = auto(), "No valid bearer token: sign in first."
    FORBIDDEN = auto(), "The caller's role does not allow the operation."
    BAD_USER_INPUT = (
        auto(),
        (
            "A query's argument is invalid; `extensions.problems` lists each problem's code, "
            "message and field. Also a variable's value that does not fit its type (then "
            "without `problems`)."
        ),
    )
    INTERNAL_SERVER_ERROR = (
        auto(),
        ("An unexpected error; the message is masked and the error logged under the request ID."),
    )
    SERVICE_UNAVAILABLE = (
        auto(),
        (
            "The database could not serve the request in time; HTTP 503 with Retry-After "
            "(`extensions.retryAfter`)."
        ),
    )
    DEADLINE_EXCEEDED = (
        auto(),
        ("The operation ran past the server's execution deadline; HTTP 503 with Retry-After."),
    )
    TOO_MANY_TOKENS = (
        auto(),
        ("The document has more lexical tokens than allowed (`extensions.limit`)."),
    )
    OPERATION_NAME_REQUIRED = (
        auto(),
        ("The document has several operations and the request names none (`operationName`)."),
    )
    QUERY_TOO_DEEP = auto(), "The operation nests fields deeper than allowed (`extensions.limit`)."
    TOO_MANY_ALIASES = auto(), "The document has more aliases than allowed (`extensions.limit`)."
    TOO_MANY_DIRECTIVES = (
        auto(),
        ("The document uses more directives than allowed (`extensions.limit`)."),
    )
    QUERY_TOO_COSTLY = (
        auto(),
        ("The operation's cost is above the ceiling (`extensions.cost`, `extensions.limit`)."),
    )
    RATE_LIMITED = auto(), ("The caller's cost budget is spent; HTTP 429 with Retry-After.")
    SUBSCRIPTION_NEEDS_WEBSOCKET = (
        auto(),
        ("Subscriptions run over a websocket (graphql-transport-ws), not over HTTP."),
    )
    OPERATION_NEEDS_HTTP = auto(), ("Queries and mutations run over HTTP, not over the websocket.")

    # ---- HTTP refusals before GraphQL (the body's extensions.code) ----------------------
    BAD_REQUEST = auto(), "HTTP 400: the request is no GraphQL request (body, query, variables)."
    NOT_FOUND = auto(), "HTTP 404: no such path."
    METHOD_NOT_ALLOWED = auto(), "HTTP 405: a mutation over GET; `Allow: POST`."
    UNSUPPORTED_MEDIA_TYPE = (
        auto(),
        ("HTTP 415: the body is neither application/json nor application/graphql."),
    )
    REQUEST_TIMEOUT = auto(), "HTTP 408: the request body did not arrive in time."
    REQUEST_TOO_LARGE = auto(), "HTTP 413: the request body is larger than allowed."
    REQUEST_HEADERS_TOO_LARGE = (
        auto(),
        ("HTTP 431: the request has more headers, or longer ones, than allowed."),
    )
    INVALID_IDEMPOTENCY_KEY = auto(), "HTTP 400: an Idempotency-Key has 1 to 200 characters."
    IDEMPOTENCY_KEY_REUSED = (
        auto(),
        ("HTTP 422: the Idempotency-Key was used before with a different request."),
    )
    IDEMPOTENCY_KEY_IN_USE = (
        auto(),
        ("HTTP 409: a request with this Idempotency-Key is still running."),
    )
