"""The descriptions of teams in the schema: the Team type, the inputs
and the operations."""

from __future__ import annotations

TEAM = (
    "A team (workgroup): every member grants every other member the team's relationship "
    "level by default, in any location; a higher default or a member's own setting wins. A "
    "VIP member grants nothing by default. A sub-administrator sees the teams with a member "
    "in its locations, showing only those members, and changes only those whose members "
    "all live there."
)
NAME = "1 to 200 characters."
DESCRIPTION = "Free text for administrators, at most 2000 characters."
RELATIONSHIP = "Level that every member has towards every other member."
MEMBERS = "The members, as far as the caller may see them."
MEMBER_IDS = (
    "The members, by User ID; a repeated ID counts once. At least one (TEAM_NEEDS_MEMBER), "
    "each a user the caller may see (USER_NOT_FOUND)."
)
IN_REACH = (
    " Administrators (or their API tokens); a sub-administrator only for teams whose "
    "members all live in its locations (others answer TEAM_NOT_FOUND)."
)
TEXT_CODES = "REQUIRED, VALUE_TOO_LONG, INVALID_CHARACTERS"

TEAMS = (
    "The teams, by name. Administrators (or their API tokens); a sub-administrator sees "
    "those with a member in its locations, showing only those members."
)
CREATE_TEAM = (
    "Adds a team (TEAM_CREATED audit event). Administrators (or their API tokens); a "
    "sub-administrator with members of its locations only. Errors: TEAM_NEEDS_MEMBER, "
    "USER_NOT_FOUND, " + TEXT_CODES + "."
)
UPDATE_TEAM = (
    "Changes a team (TEAM_UPDATED audit event); what the input omits stays."
    + IN_REACH
    + " Errors: TEAM_NOT_FOUND, TEAM_NEEDS_MEMBER, USER_NOT_FOUND, "
    + TEXT_CODES
    + "."
)
DELETE_TEAM = (
    "Deletes a team (TEAM_DELETED audit event); its levels no longer apply."
    + IN_REACH
    + " Errors: TEAM_NOT_FOUND."
)
