"""The descriptions of locations and configuration groups in the schema: their types,
inputs and operations."""

from __future__ import annotations

SETTINGS_CODES = (
    "INVALID_SETTING_KEY, DUPLICATE_SETTING_KEY, VALUE_TOO_DEEP, VALUE_TOO_LARGE, "
    "VALUE_OUT_OF_RANGE"
)
TEXT_CODES = "REQUIRED, VALUE_TOO_LONG, INVALID_CHARACTERS"
SYSTEM_ONLY = (
    " System administrators (or their API tokens) only: a location serves every "
    "administrator; others FORBIDDEN."
)
IN_REACH = (
    " Administrators (or their API tokens); a sub-administrator within its locations only "
    "(others answer LOCATION_NOT_FOUND or CONFIGURATION_GROUP_NOT_FOUND)."
)

LOCATION = (
    "A location (User management > Location): the users there, the defaults they share "
    "(password policy, relationship level and policy, Connect Client and presence "
    "settings) and their configuration groups. A sub-administrator sees only its own."
)
NAME = "1 to 200 characters; unique among locations."
DESCRIPTION = "Free text for administrators, at most 2000 characters."
LOCATION_DEFAULT_RELATIONSHIP = (
    "The level every user of the location grants every other user of it, unless the user's "
    "configuration group sets its own; a VIP grants none. EMPLOYEE unless set."
)
RELATIONSHIP_POLICY = (
    "Whether users may set a relationship below their default level (EXTEND_AND_RESTRICT, "
    "the default) or only raise it (EXTEND_ONLY)."
)
LOCATION_CLIENT_SETTINGS = (
    "The location's Connect Client (program) defaults for its users, by key; a "
    "configuration group's own list and the user's own values lay over them."
)
LOCATION_PRESENCE_SETTINGS = (
    "The location's presence management defaults for its users, by key; a configuration "
    "group's own list and the user's own values lay over them."
)
CONFIGURATION_GROUPS = "The location's configuration groups, by name."
LOCATION_USERS = "The location's users, a page at a time, oldest first."
USERS_FILTER = "Narrows the list; every condition given must hold."

GROUP = (
    "A configuration group (User management > Location > configuration group): users of "
    "one location who share defaults of their own. Whatever the group leaves null it "
    "inherits from its location."
)
GROUP_NAME = "1 to 200 characters; unique within its location."
GROUP_DEFAULT_RELATIONSHIP = (
    "The level each user of the group grants every other user of the location, in place of "
    "the location's; null: the location's applies."
)
GROUP_CLIENT_SETTINGS = (
    "The group's own Connect Client defaults, laid over the location's (a key here wins); "
    "null: the location's alone."
)
GROUP_PRESENCE_SETTINGS = (
    "The group's own presence management defaults, laid over the location's (a key here "
    "wins); null: the location's alone."
)
GROUP_LOCATION = "The location the group belongs to."
GROUP_USERS = "The group's users, a page at a time, oldest first."

LOCATIONS = "The locations, by name: every one for a system administrator, else its own."
CREATE_LOCATION = (
    "Adds a location (LOCATION_CREATED audit event)."
    + SYSTEM_ONLY
    + " Errors: NAME_TAKEN, INVALID_PASSWORD_POLICY, "
    + TEXT_CODES
    + ", "
    + SETTINGS_CODES
    + "."
)
UPDATE_LOCATION = (
    "Changes a location (LOCATION_UPDATED audit event); what the input omits stays. "
    "Defaults are never copied to users: a changed default applies at once to everyone who "
    "set nothing of their own."
    + SYSTEM_ONLY
    + " Errors: LOCATION_NOT_FOUND, NAME_TAKEN, INVALID_PASSWORD_POLICY, "
    + TEXT_CODES
    + ", "
    + SETTINGS_CODES
    + "."
)
DELETE_LOCATION = (
    "Deletes a location (LOCATION_DELETED audit event). Refused while users, configuration "
    "groups or sub-administrators limited to it remain (LOCATION_IN_USE)."
    + SYSTEM_ONLY
    + " Errors: LOCATION_NOT_FOUND, LOCATION_IN_USE."
)
CREATE_GROUP = (
    "Adds a configuration group to a location (CONFIGURATION_GROUP_CREATED audit event)."
    + IN_REACH
    + " Errors: LOCATION_NOT_FOUND, NAME_TAKEN, "
    + TEXT_CODES
    + ", "
    + SETTINGS_CODES
    + "."
)
DELETE_GROUP = (
    "Deletes a configuration group (CONFIGURATION_GROUP_DELETED audit event). Refused while "
    "users belong to it (CONFIGURATION_GROUP_IN_USE)."
    + IN_REACH
    + " Errors: CONFIGURATION_GROUP_NOT_FOUND, CONFIGURATION_GROUP_IN_USE."
)

LOCATION_LANGUAGE = (
    "The language of the mails to its users who have none of their own (de, en: see "
    "mailLanguages); null: the system's."
)
SIGN_IN_HINT = (
    "Where its users sign in (the Connect Server's address, a link to the client "
    "download): free text that their mails show; null: none."
)
UPDATE_GROUP = (
    "Changes a configuration group (CONFIGURATION_GROUP_UPDATED audit event): its name, "
    "description, and for its default relationship level and its Connect Client and "
    "presence defaults either Default (null: the location's) or Individual (a value); what "
    "a reset goes back to from now on."
    + IN_REACH
    + " Errors: CONFIGURATION_GROUP_NOT_FOUND, NAME_TAKEN, "
    + TEXT_CODES
    + ", "
    + SETTINGS_CODES
    + "."
)
FORGOT_PASSWORD = (
    "Whether this location's users may ask for a one-time link to set a new password "
    "themselves (requestPasswordLink, the /forgot-password page): true yes; null (the "
    "default) or false no. Only an unblocked user with an e-mail address gets a link, "
    "and only while an E-Mail Gateway is configured."
)
PASSWORD_LINK = (
    "Whether a reset that sets a random password (setRandomPassword) mails this "
    "location's users a one-time link to a page where they choose the new password, "
    "instead of the password; resetUsers' sendPasswordLink overrides it. null: no, "
    "the password is mailed."
)
