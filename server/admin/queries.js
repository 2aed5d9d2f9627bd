// Every GraphQL document the Web Administration sends, in one place: the screens
// import them from here, and `python -m bench` (its SPA mix) and the tests read this
// file (server/web_admin.py: documents()), so the benchmark measures what the SPA
// sends. Plain template literals only, without ${…}: the Python side reads them as text.

export const SIGN_IN = `mutation SignIn($login: String!, $password: String!) {
  adminSignIn(login: $login, password: $password) { token errors { code message } }
}`;

export const SIGN_OUT = `mutation SignOut { signOut { ok errors { code message } } }`;

export const WHO = `query Who { administrators { login firstName lastName locations { id name } } }`;

export const SCOPES = `query Scopes { locations { id name configurationGroups { id name } } }`;

export const USERS_PAGE = `query UsersPage($first: Int!, $after: String, $filter: UserFilter) {
  users(first: $first, after: $after, filter: $filter) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id login displayName email isVip blocked
                   location { name } configurationGroup { name } } }
  }
}`;

export const USER_DETAILS = `query UserDetails($id: ID!) {
  node(id: $id) { ... on User {
    id login displayName email workPhone mobilePhone isVip blocked passwordChangeRequired
    voicemailPinState configurationGroup { name }
    location { name passwordPolicy { minLength maxLength requireUppercase requireLowercase
                                     requireDigit requireSymbol } }
  } }
}`;

export const SET_PASSWORD = `mutation SetPassword($userId: ID!, $password: String!) {
  setUserPassword(userId: $userId, password: $password) { ok errors { code message } }
}`;

export const RESET_USERS = `mutation ResetUsers($ids: [ID!]!, $options: ResetUsersOptions!,
                                   $dryRun: Boolean!, $operationId: String) {
  resetUsers(ids: $ids, options: $options, dryRun: $dryRun, operationId: $operationId) {
    succeeded failed resetId errors { code message }
    results {
      userId status undoAvailableUntil user { login displayName }
      actions { action status changes undoable errors { code message } }
      warnings { code message } errors { code message }
    }
  }
}`;

export const UNDO_RESET = `mutation UndoReset($resetId: ID!, $dryRun: Boolean!) {
  undoReset(resetId: $resetId, dryRun: $dryRun) {
    succeeded failed errors { code message }
    results {
      userId status user { login displayName }
      actions { action status changes errors { code message } }
      warnings { code message } errors { code message }
    }
  }
}`;

export const RESET_PROGRESS = `subscription Progress($id: String!) {
  resetProgress(operationId: $id) { done total finished }
}`;

export const AUDIT_EVENTS = `query Audit($first: Int!, $after: String) {
  auditEvents(first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id at actor action details targetUser { displayName } } }
  }
}`;

export const GATEWAY = `query Gateway {
  emailGateway { configured host port security username hasPassword senderAddress senderName }
}`;

export const CONFIGURE_GATEWAY = `mutation Configure($input: EmailGatewayInput!) {
  configureEmailGateway(input: $input) {
    emailGateway { configured host port security username hasPassword senderAddress senderName }
    errors { code message }
  }
}`;

export const TEST_MAIL = `mutation TestMail($to: String!) {
  sendTestEmail(to: $to) { ok errors { code message } }
}`;
