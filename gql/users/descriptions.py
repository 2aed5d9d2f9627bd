"""The descriptions of users in the schema: the User type, the filter,
the inputs and the operations."""

from __future__ import annotations

ADMINISTRATORS = (
    " Administrators (or their API tokens); a sub-administrator for the users of its "
    "locations only (others answer USER_NOT_FOUND or LOCATION_NOT_FOUND)."
)
PERSON_CODES = (
    "REQUIRED, INVALID_LOGIN, INVALID_EMAIL, INVALID_PHONE, VALUE_TOO_LONG, INVALID_CHARACTERS"
)

USER = (
    "A user of the UC server (User management > Location > User tab). Administrators read "
    "the users of their locations whole. A Connect Client user reads itself whole and a "
    "colleague's directory entry only (login, names, phones, location); the rest of a "
    "colleague reads empty: null, false or []."
)
LOGIN = "The sign-in name, unique: 1 to 64 characters, letters, digits and . _ @ - only."
FIRST_NAME = "First name, at most 200 characters; null: none."
LAST_NAME = "Last name, 1 to 200 characters."
DISPLAY_NAME = "The name shown: first and last name, or the last name alone."
EMAIL = (
    "The address the mails of a reset go to (password, voicemail PIN), at most 254 "
    "characters: ASCII before the @ (a non-ASCII local part is INVALID_EMAIL, since not "
    "every mail server carries it), an international domain is kept in its ASCII form "
    "(xn--...); null: none, and those reset actions are refused (EMAIL_MISSING)."
)
WORK_PHONE = (
    "Work phone: digits, spaces and + ( ) / -, at most 32 characters; unique among users "
    "(WORK_PHONE_TAKEN). A random voicemail PIN never contains its digits."
)
MOBILE_PHONE = "Mobile phone: digits, spaces and + ( ) / -, at most 32 characters."
IS_VIP = (
    "A VIP has no default relationships (neither the location's, the group's nor any "
    "team's), only those it sets itself; resetting its relationships removes them all."
)
BLOCKED = "Blocked: the user cannot sign in, and its sessions end at once."
PASSWORD_CHANGE_REQUIRED = (
    "An administrator set the password (setUserPassword or a reset): the user "
    "must change it (changeMyPassword) before doing anything else."
)
VOICEMAIL_PIN_STATE = "Where the user's voicemail PIN stands."
LOCATION = "The user's location."
CONFIGURATION_GROUP = "The user's configuration group; null: none, the location's defaults apply."
TEAMS = "The teams the user belongs to, by name."
DEFAULT_RELATIONSHIP = (
    "The level the user grants every other user of its location unless it set its own: its "
    "configuration group's, else its location's. Null for a VIP."
)
RELATIONSHIPS = (
    "The user's outgoing relationships that differ from its default level: those it set "
    "(USER) and team levels above the default, by target."
)
RELATIONSHIP_TO = "The effective relationship towards one user, whatever its source."
RELATIONSHIP_TARGET = (
    "The other user; null answers for an ID that is no user's, or the user itself."
)
CLIENT_SETTINGS = (
    "The effective Connect Client settings: the location's, overlaid by the configuration "
    "group's own list, overlaid by the user's own values."
)
PRESENCE_SETTINGS = (
    "The effective presence management settings: the location's, overlaid by the "
    "configuration group's own list, overlaid by the user's own values."
)
CLIENT_SETTING_OVERRIDES = (
    "Only the Connect Client settings the user set itself; resetUsers with "
    "resetClientSettings removes them."
)
PRESENCE_SETTING_OVERRIDES = (
    "Only the presence settings the user set itself; resetUsers with resetPresenceSettings "
    "removes them."
)
CONTACTS = (
    "The user's contact list: entries of directory data sources and other users, oldest "
    "first. repairContactList removes those of deactivated data sources."
)

USERS = (
    "The users, oldest first, a page at a time. Administrators (or their API tokens); a "
    "sub-administrator sees the users of its locations only."
)
CREATE_USER = (
    "Adds a user (USER_CREATED audit event)."
    + ADMINISTRATORS
    + " Errors: LOGIN_TAKEN, WORK_PHONE_TAKEN, LOCATION_NOT_FOUND, "
    "CONFIGURATION_GROUP_NOT_FOUND, PASSWORD_POLICY, " + PERSON_CODES + "."
)
UPDATE_USER = (
    "Changes a user (USER_UPDATED audit event). Blocking ends the user's sessions. Moving "
    "it to another location drops its configuration group unless one of the new location "
    "is given." + ADMINISTRATORS + " Errors: USER_NOT_FOUND, WORK_PHONE_TAKEN, "
    "LOCATION_NOT_FOUND, CONFIGURATION_GROUP_NOT_FOUND, " + PERSON_CODES + "."
)
DELETE_USER = (
    "Deletes a user (USER_DELETED audit event; earlier events about it stay, their "
    "targetUser null). Refused while the user is the last member of a team "
    "(LAST_TEAM_MEMBER)." + ADMINISTRATORS + " Errors: USER_NOT_FOUND, LAST_TEAM_MEMBER."
)

RELATIONSHIP = (
    "An effective relationship: the level its owner grants the target, and where the level "
    "comes from."
)
RELATIONSHIP_LEVEL = "What the target may see and do with the owner's resources."
RELATIONSHIP_SOURCE = "Where the level comes from: the owner's own setting, or a default."
CONTACT = (
    "An entry of a user's contact list: an entry of a directory data source, or another user "
    "of this server."
)
CONTACT_ID = "The contact's ID, stable while it stays in the list (no node of its own)."
CONTACT_DISPLAY_NAME = "The name the list shows: the entry's, or the other user's display name."

LANGUAGE = (
    "The language of the user's mails (de, en: see mailLanguages); null: the location's, "
    "and where the location names none, the system's."
)
MAIL_LANGUAGE = (
    "The language the user's mails are written in now: the user's own, else the "
    "location's, else the system's."
)
MAIL_DELIVERIES = (
    "The latest 10 mails to the user (new passwords, voicemail PINs), newest first, and how "
    "each fared: PENDING, SENT, or FAILED with the SMTP server's reply. A FAILED one is not "
    "sent again: a new reset (setRandomPassword, setRandomVoicemailPin) sends a new secret. "
    "For administrators of the user's location; empty for others."
)
