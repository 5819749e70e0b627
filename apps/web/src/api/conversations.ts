import type {
  ConversationDetail,
  ConversationList,
  ConversationListQuery,
  ConversationQuery,
} from '@popgate/contracts';
import { api, type ApiClient } from './client';

/** Conversations: threads of received and sent mail (acting on one goes through messagesApi). */
export function conversationsApi(client: ApiClient = api) {
  return {
    list: (query: ConversationListQuery, signal?: AbortSignal) =>
      client.get<ConversationList>('/api/conversations', { query: { ...query }, signal }),
    get: (id: string, query: ConversationQuery = {}) =>
      client.get<ConversationDetail>(`/api/conversations/${encodeURIComponent(id)}`, {
        query: { ...query },
      }),
  };
}
