import type {
  AccountIn,
  AccountOut,
  AccountPatch,
  AccountTestIn,
  AccountTestReply,
  ChangePassword,
  Credentials,
  Me,
  MessageBulkPatch,
  MessageDetail,
  MessageList,
  MessageListQuery,
  MessagePatch,
  TrashOutcome,
  TrustedSenderOut,
} from '@popgate/contracts';
import { api, type ApiClient } from './client';

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
  };
}

/** Linked POP3 accounts. */
export function accountsApi(client: ApiClient = api) {
  return {
    list: () => client.get<AccountOut[]>('/api/accounts'),
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
    get: (id: string, options: { images?: boolean } = {}) =>
      client.get<MessageDetail>(`/api/messages/${enc(id)}`, {
        query: { images: options.images ? 1 : undefined },
      }),
    patch: (id: string, body: MessagePatch) =>
      client.patch<unknown>(`/api/messages/${enc(id)}`, body),
    patchMany: (body: MessageBulkPatch) => client.patch<unknown>('/api/messages', body),
    trash: (id: string) => client.delete<unknown>(`/api/messages/${enc(id)}`),
    restore: (id: string) => client.post<unknown>(`/api/messages/${enc(id)}/restore`),
    trashMany: (ids: string[]) => client.post<TrashOutcome>('/api/messages/trash', { ids }),
    restoreMany: (ids: string[]) => client.post<TrashOutcome>('/api/messages/restore', { ids }),
    /** Always show remote images from this message's sender. */
    trustSender: (id: string) =>
      client.post<TrustedSenderOut>(`/api/messages/${enc(id)}/trust-sender`),
    untrustSender: (id: string) =>
      client.delete<TrustedSenderOut>(`/api/messages/${enc(id)}/trust-sender`),
    fetchFull: (id: string) => client.post<unknown>(`/api/messages/${enc(id)}/fetch-full`),
    raw: (id: string) => client.get<string>(`/api/messages/${enc(id)}/raw`, { as: 'text' }),
    blob: (url: string) => client.get<Blob>(url, { as: 'blob' }),
    rawUrl: (id: string) => `/api/messages/${enc(id)}/raw`,
  };
}
