"""The reset's descriptions in the schema, after the manual page "Resetting users":
long enough to stand apart from the fields they describe (gql/reset/types.py,
operations.py)."""

from __future__ import annotations

MAIL_ROUTE_ERRORS = (
    "USER_BLOCKED (the user is blocked, so could not use it: unblock it first), "
    "EMAIL_MISSING (the user has no e-mail address), EMAIL_INVALID (it cannot be sent "
    "to), MAIL_GATEWAY_NOT_CONFIGURED (no E-Mail Gateway), MAIL_GATEWAY_INVALID (the "
    "stored gateway cannot be used)"
)

RESET_USERS = "\n\n".join(
    [
        "Other... > Reset user (or Reset for multiple selections): resets the selected users "
        "with the chosen options, in request order, each distinct ID once, 100 users per "
        "transaction. Each user is handled on its own: one user's failure never changes "
        "another's outcome, and an action that fails for a user changes nothing of that "
        "action; the user's other actions still run, each seeing what the ones before it "
        "changed. With dryRun, nothing is stored or sent, and the results say what would "
        "happen, warnings included. Every reset user is a USER_RESET audit event.",
        "Callers: a system administrator; a sub-administrator, for the users of its "
        "locations (others answer USER_NOT_FOUND); an API token of either. A Connect Client "
        "user is FORBIDDEN.",
        "Errors of the request (nothing is done): NO_OPTION_SELECTED, TOO_MANY_USERS, "
        "IDS_AND_SELECTION, "
        "INVALID_OPERATION_ID, INVALID_CHARACTERS, OPERATION_ID_IN_USE, "
        "OPERATION_LIMIT_REACHED. Of a user: USER_NOT_FOUND, NOT_STORED. Of an action: "
        + MAIL_ROUTE_ERRORS
        + ". Warnings: VIP_RELATIONSHIPS_DELETED, CONTACTS_REMOVED.",
        "Retry safely with an Idempotency-Key header: a repeat with the same body answers "
        "the first result and changes nothing.",
    ]
)
IDS = (
    "The users to reset, by User ID, in the order their results come back; a repeated ID "
    "counts once. At most 10,000 distinct IDs (TOO_MANY_USERS)."
)
OPTIONS = "What to reset; at least one option must be true (NO_OPTION_SELECTED)."
DRY_RUN = (
    "True: check only. Nothing is stored, sent or locked; the results, changes and "
    "warnings say what the reset would do."
)
OPERATION_ID = (
    "Your name for this run (e.g. a UUID, 1 to 128 characters: INVALID_OPERATION_ID): "
    "subscribe to resetProgress(operationId) to follow it. Unique among your unfinished "
    "runs (OPERATION_ID_IN_USE); at most 20 of them at once (OPERATION_LIMIT_REACHED). "
    "Omitted: the run reports no progress."
)

SET_RANDOM_PASSWORD = (
    "Security > Set random password and send by e-mail. The user's password is replaced "
    "by a random one of 16 characters (more if the location's policy asks for more) that "
    "meets the location's password policy, and mailed to the user's e-mail address "
    "through the E-Mail Gateway. The user must change it at the next sign-in "
    "(passwordChangeRequired); unused for CONNECT_TEMPORARY_PASSWORD_HOURS (72 unless "
    "set) it stops working (TEMPORARY_PASSWORD_EXPIRED). The user's sign-in sessions end "
    "at once. Refused, changing nothing: " + MAIL_ROUTE_ERRORS + ". Default false."
)
SET_RANDOM_VOICEMAIL_PIN = (
    "Security > Set a random voicemail PIN. The old PIN stops working at once and "
    "voicemailPinState becomes PENDING_DELIVERY; at the user's first remote access to the "
    "voicemail (voicemailRemoteAccess) a random 6-digit PIN is made, mailed to the user's "
    "e-mail address and set. Refused, changing nothing, when the PIN could not reach the "
    "user: " + MAIL_ROUTE_ERRORS + ". Default false."
)
RESET_RELATIONSHIPS = (
    "Security > Reset relationships to other users. Removes every relationship the user "
    "set in the Connect Client (source USER), so the defaults apply again: towards every "
    "other user of the location, the configuration group's default level, else the "
    "location's; towards a team-mate, the team's level where it is higher. Attention: a "
    "VIP has no defaults, so a VIP loses ALL relationships and must set them again "
    "(warning VIP_RELATIONSHIPS_DELETED). Never refused. Default false."
)
RESET_CLIENT_SETTINGS = (
    'Settings > Reset "Connect Client" settings. Removes every program setting the user '
    "changed (clientSettingOverrides, e.g. hotkeys), so the user has the defaults again: "
    "the location's, overlaid by the configuration group's own list if it has one. Never "
    "refused. Default false."
)
RESET_PRESENCE_SETTINGS = (
    'Settings > Reset "Presence Management" settings. Removes every presence setting the '
    "user changed (presenceSettingOverrides), so the user has the defaults again: the "
    "location's, overlaid by the configuration group's own list if it has one. Never "
    "refused. Default false."
)
REPAIR_CONTACT_LIST = (
    "Contact list > Repair contact list. Removes from the user's contact list every "
    "contact from a directory data source that is deactivated (active: false); contacts "
    "from active sources and contacts that are other users stay (warning CONTACTS_REMOVED "
    "with their number). Never refused. Default false."
)

CHANGES = (
    "How many stored items the action replaced or removed (with dryRun: would): 1 for a "
    "password or PIN; the lockouts ended for unlock; 1 for expirePassword; the "
    "relationships, settings or contacts removed otherwise; 0 when "
    "there was nothing to do or the action was refused."
)
ACTION_ERRORS = (
    "Why the action was refused; empty when done. Only setRandomPassword and "
    "setRandomVoicemailPin are ever refused: " + MAIL_ROUTE_ERRORS + "."
)
WARNINGS = (
    "What the reset removes (with dryRun: would remove) that the user may miss, though "
    "nothing failed: VIP_RELATIONSHIPS_DELETED (a VIP lost all its relationships), "
    "CONTACTS_REMOVED (contacts of deactivated directory data sources)."
)
USER_ERRORS = (
    "Why nothing was done for this user: USER_NOT_FOUND (no such user, not a User ID, or "
    "outside a sub-administrator's locations) or NOT_STORED (storing failed; nothing of "
    "this user changed, other users were reset). A refused action is in actions, not here."
)
REQUEST_ERRORS = (
    "Why the whole request was refused before any user (results empty): "
    "NO_OPTION_SELECTED, TOO_MANY_USERS, INVALID_OPERATION_ID, INVALID_CHARACTERS (a NUL "
    "in operationId), OPERATION_ID_IN_USE, OPERATION_LIMIT_REACHED."
)

SET_USER_PASSWORD = (
    "User details > Password: sets a user's password by hand. It must meet the password "
    "policy of the user's location (PASSWORD_POLICY names the rules it breaks; "
    "INVALID_CHARACTERS for a NUL). The user must change it at the next sign-in "
    "(passwordChangeRequired); it does not expire. The user's sign-in sessions end. A "
    "PASSWORD_SET audit event. Callers: a system administrator; a sub-administrator, for "
    "the users of its locations; an API token of either. Errors: USER_NOT_FOUND, "
    "PASSWORD_POLICY, INVALID_CHARACTERS."
)
