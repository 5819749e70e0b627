import type { AccountOut, MessageDetail, MessageListItem } from '@popgate/contracts';

let sequence = 0;

/** A message list row; ids sort like the server's (newer date first). */
export function item(overrides: Partial<MessageListItem> = {}): MessageListItem {
  sequence++;
  return {
    id: `00000000-0000-7000-8000-${String(sequence).padStart(12, '0')}`,
    accountId: 'acc-1',
    subject: `Subject ${sequence}`,
    from: { name: `Sender ${sequence}`, address: `sender${sequence}@example.com` },
    date: new Date(Date.UTC(2026, 0, 1, 0, 0, sequence)).toISOString(),
    snippet: `Snippet ${sequence}`,
    size: 1000,
    seen: false,
    flagged: false,
    hasAttachments: false,
    ...overrides,
  };
}

/** `count` rows, newest first, dated one minute apart before `start`. */
export function items(
  count: number,
  start = Date.UTC(2026, 5, 1),
  overrides: Partial<MessageListItem> = {},
) {
  return Array.from({ length: count }, (_, i) =>
    item({ date: new Date(start - i * 60_000).toISOString(), ...overrides }),
  );
}

export function detail(
  row: MessageListItem,
  overrides: Partial<MessageDetail> = {},
): MessageDetail {
  return {
    ...row,
    to: [{ name: 'Me', address: 'me@example.com' }],
    cc: [],
    replyTo: [],
    messageId: '<m@example.com>',
    headers: [],
    text: 'Hello',
    html: null,
    remoteImagesBlocked: false,
    attachments: [],
    headersOnly: false,
    partialReason: null,
    parseError: null,
    trashed: false,
    serverState: 'on_server',
    senderTrusted: false,
    ...overrides,
  } as MessageDetail;
}

export function account(overrides: Partial<AccountOut> = {}): AccountOut {
  return {
    id: 'acc-1',
    label: 'Work',
    host: 'pop.example.com',
    port: 995,
    security: 'tls',
    username: 'me@example.com',
    auth: 'auto',
    policy: {
      leaveOnServer: true,
      deleteAfterDays: null,
      deleteWhenDeletedHere: false,
      pollSeconds: 300,
      maxFullDownloadBytes: null,
    },
    tls: { caPem: null, pinSha256: null },
    status: 'ok',
    disabled: false,
    lastSyncAt: null,
    nextSyncAt: null,
    lastError: null,
    lastErrorCode: null,
    messageCount: 10,
    unreadCount: 3,
    serverInfo: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  } as AccountOut;
}
