"""The descriptions of the reset's access actions, unlock and expirePassword
(domain/services/reset_access.py), beside the others' in descriptions.py."""

from __future__ import annotations

UNLOCK = (
    "Security > Unlock. Ends the user's sign-in lockouts (those after repeated failed "
    "sign-ins, from every client address) and forgets its failed sign-ins, and ends the "
    "voicemail PIN lockout after repeated wrong PINs: the user can sign in and the PIN "
    "verifies again at once. changes counts the lockouts in force that ended (one per "
    "client address, plus 1 for a locked PIN); 0: nothing was locked. Runs for a blocked "
    "user too (the block still keeps it out). Never refused; not undoable. Default false."
)
EXPIRE_PASSWORD = (
    "Security > Expire password. The user must change its password at the next sign-in "
    "(passwordChangeRequired; userSignIn answers passwordChangeRequired true); the "
    "password itself stays and nothing is made or mailed. The user's sign-in sessions "
    "end, so the change is asked at once. A temporary password's expiry stays as it was. "
    "changes: 1, or 0 when a change was already required. Runs for a blocked user too. "
    "Never refused; not undoable. Default false."
)
UNLOCK_ACTION = "unlock: the user's sign-in and voicemail PIN lockouts ended."
EXPIRE_PASSWORD_ACTION = (
    "expirePassword: a password change required at the next sign-in; nothing mailed."
)
