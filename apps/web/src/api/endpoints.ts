import type {
  AccountDiagnostics,
  Address,
  AccountIn,
  AdminAccount,
  AdminAccountQuery,
  AdminOverview,
  AdminPolicy,
  AdminSyncStatus,
  AdminUser,
  AdminUserCreate,
  AdminUserCreated,
  AdminUserList,
  AdminUserPatch,
  AdminUserQuery,
  AuditEntryOut,
  AuditQuery,
  AutoconfigReply,
  AccountOut,
  AccountPatch,
  AccountPolicy,
  AccountTestIn,
  AccountTestReply,
  ChangePassword,
  Credentials,
  DraftIn,
  DraftList,
  DraftOut,
  DraftPatch,
  IdentityDefaults,
  IdentityIn,
  IdentityOut,
  IdentityPatch,
  IdentityTestIn,
  IdentityTestReply,
  OutboxItemOut,
  OutboxList,
  Me,
  OAuthProvidersReply,
  MessageBulkPatch,
  MessageDetail,
  MessageList,
  MessageListQuery,
  MessagePatch,
  SignInLinkIn,
  SyncRunOut,
  TrashOutcome,
  EmbeddedMessage,
  PermanentDeletion,
  PermanentDeletionPreview,
  UnsubscribeDone,
  TrustedSenderOut,
} from '@popgate/contracts';
import { api, withQuery, type ApiClient } from './client';

const enc = encodeURIComponent;

/** Sign-up, sign-in and the session. */
export function authApi(client: ApiClient = api) {
  return {
    me: () => client.get<Me>('/api/auth/me', { allowUnauthorized: true }),
    signIn: (body: Credentials) =>
      client.post<Me>('/api/auth/login', body, { allowUnauthorized: true }),
    signUp: (body: Credentials) =>
      client.post<Me>('/api/auth/signup', body, { allowUnauthorized: true }),
    signOut: () => client.post<void>('/api/auth/logout', undefined, { allowUnauthorized: true }),
    changePassword: (body: ChangePassword) => client.post<void>('/api/auth/password', body),
    /** Signs in once with the token of an admin's sign-in link. */
    signInWithLink: (body: SignInLinkIn) =>
      client.post<Me>('/api/auth/link', body, { allowUnauthorized: true }),
  };
}

/** Linked POP3 accounts. */
export function accountsApi(client: ApiClient = api) {
  return {
    list: () => client.get<AccountOut[]>('/api/accounts'),
    defaults: () => client.get<AccountPolicy>('/api/accounts/defaults'),
    get: (id: string) => client.get<AccountOut>(`/api/accounts/${enc(id)}`),
    create: (body: AccountIn) => client.post<AccountOut>('/api/accounts', body),
    update: (id: string, body: AccountPatch) =>
      client.patch<AccountOut>(`/api/accounts/${enc(id)}`, body),
    remove: (id: string) => client.delete<void>(`/api/accounts/${enc(id)}`),
    syncNow: (id: string) => client.post<unknown>(`/api/accounts/${enc(id)}/sync`),
    test: (body: AccountTestIn) => client.post<AccountTestReply>('/api/accounts/test', body),
  };
}

/** Messages: the list, one message, and what can be done to them. */
export function messagesApi(client: ApiClient = api) {
  return {
    list: (query: MessageListQuery, signal?: AbortSignal) =>
      client.get<MessageList>('/api/messages', { query: { ...query }, signal }),
    get: (id: string, options: { images?: boolean; q?: string } = {}) =>
      client.get<MessageDetail>(`/api/messages/${enc(id)}`, {
        query: { images: options.images ? 1 : undefined, q: options.q || undefined },
      }),
    patch: (id: string, body: MessagePatch) =>
      client.patch<unknown>(`/api/messages/${enc(id)}`, body),
    patchMany: (body: MessageBulkPatch) => client.patch<unknown>('/api/messages', body),
    trash: (id: string) => client.delete<unknown>(`/api/messages/${enc(id)}`),
    restore: (id: string) => client.post<unknown>(`/api/messages/${enc(id)}/restore`),
    trashMany: (ids: string[]) => client.post<TrashOutcome>('/api/messages/trash', { ids }),
    restoreMany: (ids: string[]) => client.post<TrashOutcome>('/api/messages/restore', { ids }),
    /** Trashed messages only; what becomes of their server copies follows each account's policy. */
    deletePermanently: (ids: string[]) =>
      client.post<PermanentDeletion>('/api/messages/delete-permanently', { ids }),
    emptyTrashPreview: () => client.get<PermanentDeletionPreview>('/api/messages/empty-trash'),
    emptyTrash: () => client.post<PermanentDeletion>('/api/messages/empty-trash'),
    /** Always show remote images from this message's sender. */
    trustSender: (id: string) =>
      client.post<TrustedSenderOut>(`/api/messages/${enc(id)}/trust-sender`),
    untrustSender: (id: string) =>
      client.delete<TrustedSenderOut>(`/api/messages/${enc(id)}/trust-sender`),
    fetchFull: (id: string) => client.post<unknown>(`/api/messages/${enc(id)}/fetch-full`),
    /** The stored bytes, undecoded (the source view decodes them with the message's charset). */
    rawBytes: async (id: string) =>
      new Uint8Array(
        await (
          await client.get<Blob>(`/api/messages/${enc(id)}/raw`, { as: 'blob' })
        ).arrayBuffer(),
      ),
    blob: (url: string) => client.get<Blob>(url, { as: 'blob' }),
    /** A forwarded message (message/rfc822 attachment) read as a message, by its attachment URL. */
    embedded: (attachmentUrl: string) => client.get<EmbeddedMessage>(`${attachmentUrl}/message`),
    /** The one-click unsubscribe (RFC 8058), sent by the server. */
    unsubscribe: (id: string) =>
      client.post<UnsubscribeDone>(`/api/messages/${enc(id)}/unsubscribe`),
    rawUrl: (id: string) => `/api/messages/${enc(id)}/raw`,
  };
}

/** The admin console: users, everyone's linked accounts, policy, audit log, overview. */
export function adminApi(client: ApiClient = api) {
  return {
    overview: () => client.get<AdminOverview>('/api/admin/overview'),
    /** Polling now: the session rule in force, backlog, sessions per server, lateness. */
    sync: () => client.get<AdminSyncStatus>('/api/admin/sync'),
    users: (query: AdminUserQuery = {}) =>
      client.get<AdminUserList>('/api/admin/users', { query: { ...query } }),
    createUser: (body: AdminUserCreate) => client.post<AdminUserCreated>('/api/admin/users', body),
    updateUser: (id: string, body: AdminUserPatch) =>
      client.patch<AdminUser>(`/api/admin/users/${enc(id)}`, body),
    signOutUser: (id: string) => client.post<void>(`/api/admin/users/${enc(id)}/sign-out`),
    accounts: (query: AdminAccountQuery = {}) =>
      client.get<{ items: AdminAccount[] }>('/api/admin/accounts', { query: { ...query } }),
    setAccountDisabled: (id: string, disabled: boolean) =>
      client.patch<AdminAccount>(`/api/admin/accounts/${enc(id)}`, { disabled }),
    syncAccount: (id: string) => client.post<void>(`/api/admin/accounts/${enc(id)}/sync`),
    syncRuns: (id: string, limit = 50) =>
      client.get<{ items: SyncRunOut[] }>(`/api/admin/accounts/${enc(id)}/sync-runs`, {
        query: { limit },
      }),
    diagnostics: (id: string) =>
      client.get<AccountDiagnostics>(`/api/admin/accounts/${enc(id)}/diagnostics`),
    policy: () => client.get<AdminPolicy>('/api/admin/policy'),
    updatePolicy: (body: Partial<AdminPolicy>) =>
      client.patch<AdminPolicy>('/api/admin/policy', body),
    audit: (query: Omit<AuditQuery, 'format'> = {}) =>
      client.get<{ items: AuditEntryOut[] }>('/api/admin/audit', { query: { ...query } }),
    /** The CSV export of the same entries: a plain link, so the browser downloads it. */
    auditCsvUrl: (query: Omit<AuditQuery, 'format'> = {}) =>
      withQuery('/api/admin/audit', { ...query, format: 'csv' }),
  };
}

/** Outgoing identities: who the user sends as, and through which SMTP server. */
export function identitiesApi(client: ApiClient = api) {
  return {
    list: () => client.get<IdentityOut[]>('/api/identities'),
    get: (id: string) => client.get<IdentityOut>(`/api/identities/${enc(id)}`),
    create: (body: IdentityIn) => client.post<IdentityOut>('/api/identities', body),
    update: (id: string, body: IdentityPatch) =>
      client.patch<IdentityOut>(`/api/identities/${enc(id)}`, body),
    remove: (id: string) => client.delete<void>(`/api/identities/${enc(id)}`),
    test: (body: IdentityTestIn) => client.post<IdentityTestReply>('/api/identities/test', body),
    defaults: (accountId: string) =>
      client.get<IdentityDefaults>('/api/identities/defaults', { query: { accountId } }),
  };
}

/** The route that completes recipients from the addresses in the user's own mail. */
export const RECIPIENT_COMPLETION_PATH = '/api/drafts/recipients';

/** Drafts: autosaved messages being written, their attachments, and sending them. */
export function draftsApi(client: ApiClient = api) {
  return {
    list: () => client.get<DraftList>('/api/drafts'),
    get: (id: string) => client.get<DraftOut>(`/api/drafts/${enc(id)}`),
    create: (body: DraftIn) => client.post<DraftOut>('/api/drafts', body),
    update: (id: string, body: DraftPatch, options: { keepalive?: boolean } = {}) =>
      client.patch<DraftOut>(`/api/drafts/${enc(id)}`, body, options),
    remove: (id: string) => client.delete<void>(`/api/drafts/${enc(id)}`),
    removeAttachment: (id: string, attachmentId: string) =>
      client.delete<void>(`/api/drafts/${enc(id)}/attachments/${enc(attachmentId)}`),
    /** Where an attachment is uploaded (the body is the file's bytes; see lib/upload.ts). */
    attachmentUploadUrl: (id: string, filename: string) =>
      withQuery(`/api/drafts/${enc(id)}/attachments`, { filename }),
    send: (id: string) => client.post<OutboxItemOut>(`/api/drafts/${enc(id)}/send`),
    /** Addresses from the user's own mail that match what is typed. */
    recipients: async (q: string, signal?: AbortSignal): Promise<Address[]> => {
      const reply = await client.get<Address[] | { items: Address[] }>(RECIPIENT_COMPLETION_PATH, {
        query: { q },
        signal,
      });
      return Array.isArray(reply) ? reply : (reply?.items ?? []);
    },
  };
}

/** The outbox: messages on their way, and what became of them. */
export function outboxApi(client: ApiClient = api) {
  return {
    list: () => client.get<OutboxList>('/api/outbox'),
    cancel: (id: string) => client.post<OutboxItemOut>(`/api/outbox/${enc(id)}/cancel`),
    retry: (id: string) => client.post<OutboxItemOut>(`/api/outbox/${enc(id)}/retry`),
  };
}

/** Proposed settings for an address: provider presets, the domain's document, MX, a guess. */
export function autoconfigApi(client: ApiClient = api) {
  return {
    /** `probe`: confirm a plain guess by greeting the guessed POP3 server (no sign-in). */
    lookup: (email: string, options: { probe?: boolean; signal?: AbortSignal } = {}) =>
      client.get<AutoconfigReply>('/api/autoconfig', {
        query: { email, probe: options.probe ? 1 : undefined },
        signal: options.signal,
      }),
  };
}

/** OAuth2 sign-in for accounts: the providers this Popgate's operator configured. */
export function oauthApi(client: ApiClient = api) {
  return {
    providers: () => client.get<OAuthProvidersReply>('/api/oauth/providers'),
  };
}
