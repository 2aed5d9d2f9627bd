// Every GraphQL document the Web Administration sends, in one place: the screens
// import them from here, and `python -m bench` (its SPA mix) and the tests read this
// file (server/ui/web_admin.py: documents()), so the benchmark measures what the SPA
// sends. Plain template literals only, without ${…}: the Python side reads them as text.

export const SIGN_IN = `mutation SignIn($login: String!, $password: String!) {
  adminSignIn(login: $login, password: $password) {
    token passwordChangeRequired errors { code message }
  }
}`;

export const CHANGE_MY_PASSWORD = `mutation ChangeMyPassword($current: String!, $new: String!) {
  changeMyPassword(currentPassword: $current, newPassword: $new) { ok errors { code message } }
}`;

export const SIGN_OUT = `mutation SignOut { signOut { ok errors { code message } } }`;

export const WHO = `query Who {
  viewer { isSystemAdministrator administrator { login firstName lastName locations { id name } } }
}`;

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
    id login firstName lastName displayName email workPhone mobilePhone isVip blocked
    passwordChangeRequired voicemailPinState defaultRelationship
    configurationGroup { id name }
    location { id name passwordPolicy { minLength maxLength requireUppercase requireLowercase
                                        requireDigit requireSymbol } }
    teams { id name }
    relationships { level source target { id displayName } }
    clientSettings { key value } clientSettingOverrides { key value }
    presenceSettings { key value } presenceSettingOverrides { key value }
    contacts { id displayName dataSource { name active } user { id } }
  } }
}`;

export const USER_MAILS = `query UserMails($id: ID!) {
  node(id: $id) { ... on User {
    mailDeliveries { kind status recipient queuedAt attempts nextAttemptAt sentAt replyCode reply }
  } }
}`;

export const MAIL_TEMPLATES = `query MailTemplates($locationId: ID!) {
  mailTemplates(locationId: $locationId) { kind language subject html text updatedAt updatedBy }
  mailLanguages { available systemDefault }
}`;

export const MAIL_PREVIEW = `query MailPreview($input: MailSampleInput!) {
  mailPreview(input: $input) { subject html text }
}`;

export const SET_MAIL_TEMPLATE = `mutation SetMailTemplate($input: MailTemplateInput!) {
  setMailTemplate(input: $input) { mailTemplate { kind language } errors { code message field } }
}`;

export const DELETE_MAIL_TEMPLATE = `mutation DeleteMailTemplate($locationId: ID!, $kind: MailKind!,
                                                          $language: String!) {
  deleteMailTemplate(locationId: $locationId, kind: $kind, language: $language) {
    ok errors { code message }
  }
}`;

export const SEND_MAIL_TEMPLATE_TEST = `mutation SendMailTemplateTest($input: MailSampleInput!,
                                                              $to: String!) {
  sendMailTemplateTest(input: $input, to: $to) { ok errors { code message } }
}`;

export const UPDATE_USER = `mutation UpdateUser($input: UpdateUserInput!) {
  updateUser(input: $input) { user { id } errors { code message field } }
}`;

export const CREATE_USER = `mutation CreateUser($input: CreateUserInput!) {
  createUser(input: $input) { user { id } errors { code message field } }
}`;

export const DELETE_USER = `mutation DeleteUser($id: ID!) {
  deleteUser(id: $id) { ok errors { code message } }
}`;

export const SCOPE_SETTINGS = `query ScopeSettings($id: ID!) {
  node(id: $id) {
    ... on Location { id name defaultRelationship relationshipPolicy
      passwordPolicy { minLength maxLength requireUppercase requireLowercase requireDigit
                       requireSymbol }
      clientSettings { key value } presenceSettings { key value } passwordLink forgotPassword }
    ... on ConfigurationGroup { id name groupLevel: defaultRelationship
      groupClient: clientSettings { key value } groupPresence: presenceSettings { key value }
      location { id name defaultRelationship clientSettings { key value }
                 presenceSettings { key value } } }
  }
}`;

export const ADMINISTRATORS = `query Administrators {
  administrators {
    id login firstName lastName email blocked passwordChangeRequired locations { name }
  }
}`;

export const API_TOKENS = `query ApiTokens {
  apiTokens { id name createdAt lastUsedAt revokedAt owner { login } }
}`;

export const DATA_SOURCES = `query DataSources {
  directoryDataSources { id name active contactCount }
}`;

export const SET_PASSWORD = `mutation SetPassword($userId: ID!, $password: String!) {
  setUserPassword(userId: $userId, password: $password) { ok errors { code message } }
}`;

export const RESET_USERS = `mutation ResetUsers($ids: [ID!]!, $options: ResetUsersOptions!,
                                   $dryRun: Boolean!, $operationId: String,
                                   $selection: UserSelectionInput) {
  resetUsers(ids: $ids, options: $options, dryRun: $dryRun, operationId: $operationId,
             selection: $selection) {
    succeeded failed resetId errors { code message }
    summary { users succeeded partial failed warnings { count } }
    results {
      userId status undoAvailableUntil user { login displayName }
      actions { action status changes undoable passwordLinkSent errors { code message } }
      warnings { code message } errors { code message }
    }
  }
}`;

export const SCHEDULE_RESET = `mutation ScheduleReset($ids: [ID!]!, $options: ResetUsersOptions!,
                                      $runAt: DateTime!, $selection: UserSelectionInput) {
  resetUsers(ids: $ids, options: $options, runAt: $runAt, selection: $selection) {
    errors { code message }
    job { id state runAt }
  }
}`;

export const RESET_JOBS = `query ResetJobs($language: String) {
  resetJobs {
    id createdBy runAt state actions stopRequested total done succeeded partial failed
    csv: reportUrl(format: CSV, language: $language)
    json: reportUrl(format: JSON, language: $language)
  }
}`;

export const CANCEL_RESET_JOB = `mutation CancelResetJob($id: ID!) {
  cancelResetJob(id: $id) { job { id state stopRequested } errors { code message } }
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

export const USER_NAME = `query UserName($id: ID!) {
  node(id: $id) { ... on User { id displayName } }
}`;

export const AUDIT_EVENTS = `query Audit($first: Int!, $after: String, $targetUserId: ID,
                                 $filter: AuditEventFilter) {
  auditEvents(first: $first, after: $after, targetUserId: $targetUserId, filter: $filter) {
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

export const UPDATE_LOCATION = `mutation UpdateLocation($input: UpdateLocationInput!) {
  updateLocation(input: $input) { location { id } errors { code message field } }
}`;

export const CREATE_API_TOKEN = `mutation CreateApiToken($name: String!) {
  createApiToken(name: $name) { token apiToken { id } errors { code message } }
}`;

export const REVOKE_API_TOKEN = `mutation RevokeApiToken($id: ID!) {
  revokeApiToken(id: $id) { ok errors { code message } }
}`;

export const CREATE_DATA_SOURCE = `mutation CreateDataSource($name: String!) {
  createDirectoryDataSource(name: $name) { directoryDataSource { id } errors { code message } }
}`;

export const SET_DATA_SOURCE_ACTIVE = `mutation SetDataSourceActive($id: ID!, $active: Boolean!) {
  setDirectoryDataSourceActive(id: $id, active: $active) {
    directoryDataSource { id active } errors { code message }
  }
}`;

export const CREATE_ADMINISTRATOR = `mutation CreateAdministrator($input: CreateAdministratorInput!) {
  createAdministrator(input: $input) { administrator { id } errors { code message field } }
}`;

export const BLOCK_ADMINISTRATOR = `mutation BlockAdministrator($id: ID!) {
  blockAdministrator(id: $id) { administrator { id } errors { code message } }
}`;

export const UNBLOCK_ADMINISTRATOR = `mutation UnblockAdministrator($id: ID!) {
  unblockAdministrator(id: $id) { administrator { id } errors { code message } }
}`;

export const DELETE_ADMINISTRATOR = `mutation DeleteAdministrator($id: ID!) {
  deleteAdministrator(id: $id) { ok errors { code message } }
}`;

export const TEAMS = `query Teams {
  teams { id name relationship members { id displayName location { id } } }
}`;

export const CREATE_TEAM = `mutation CreateTeam($input: CreateTeamInput!) {
  createTeam(input: $input) { team { id } errors { code message field } }
}`;

export const UPDATE_TEAM = `mutation UpdateTeam($input: UpdateTeamInput!) {
  updateTeam(input: $input) { team { id } errors { code message field } }
}`;

export const DELETE_TEAM = `mutation DeleteTeam($id: ID!) {
  deleteTeam(id: $id) { ok errors { code message } }
}`;

export const CREATE_LOCATION = `mutation CreateLocation($input: CreateLocationInput!) {
  createLocation(input: $input) { location { id } errors { code message field } }
}`;

export const DELETE_LOCATION = `mutation DeleteLocation($id: ID!) {
  deleteLocation(id: $id) { ok errors { code message } }
}`;

export const CREATE_GROUP = `mutation CreateGroup($input: CreateConfigurationGroupInput!) {
  createConfigurationGroup(input: $input) { configurationGroup { id } errors { code message field } }
}`;

export const DELETE_GROUP = `mutation DeleteGroup($id: ID!) {
  deleteConfigurationGroup(id: $id) { ok errors { code message } }
}`;

export const UPDATE_GROUP = `mutation UpdateGroup($input: UpdateConfigurationGroupInput!) {
  updateConfigurationGroup(input: $input) { configurationGroup { id } errors { code message field } }
}`;

export const WEBHOOK_ENDPOINTS = `query WebhookEndpoints {
  webhookEndpoints {
    id url description events active consecutiveFailures disabledAt createdAt owner { login }
    deliveries(first: 10) { id messageId eventType status attempts lastStatusCode lastError
                           createdAt lastAttemptAt }
  }
}`;

export const CREATE_WEBHOOK_ENDPOINT = `mutation CreateWebhookEndpoint($input: CreateWebhookEndpointInput!) {
  createWebhookEndpoint(input: $input) { secret webhookEndpoint { id } errors { code message } }
}`;

export const SET_WEBHOOK_ENDPOINT_ACTIVE = `mutation SetWebhookEndpointActive($id: ID!, $active: Boolean!) {
  setWebhookEndpointActive(id: $id, active: $active) { webhookEndpoint { id active } errors { code message } }
}`;

export const PING_WEBHOOK_ENDPOINT = `mutation PingWebhookEndpoint($id: ID!) {
  pingWebhookEndpoint(id: $id) { delivery { id } errors { code message } }
}`;

export const DELETE_WEBHOOK_ENDPOINT = `mutation DeleteWebhookEndpoint($id: ID!) {
  deleteWebhookEndpoint(id: $id) { ok errors { code message } }
}`;
