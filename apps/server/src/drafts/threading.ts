/** References keeps the thread's first message and the latest ones: at most this many ids. */
const MAX_REFERENCES = 20;
const MESSAGE_ID = /<[^<>\s]+>/g;

/**
 * The threading headers of an answer to a message (RFC 5322 3.6.4): In-Reply-To its Message-ID,
 * References its References (or In-Reply-To) followed by its Message-ID. A long References keeps
 * its first id (the thread's start) and the latest ones.
 */
export function threadingHeaders(original: {
  messageId: string | null;
  references: string | null;
  inReplyTo: string | null;
}): { inReplyTo: string | null; references: string | null } {
  const messageId = original.messageId?.match(MESSAGE_ID)?.[0] ?? null;
  const earlier = (original.references ?? original.inReplyTo ?? '').match(MESSAGE_ID) ?? [];
  const ids = [...new Set([...earlier, ...(messageId ? [messageId] : [])])];
  const kept =
    ids.length > MAX_REFERENCES ? [ids[0]!, ...ids.slice(ids.length - MAX_REFERENCES + 1)] : ids;
  return { inReplyTo: messageId, references: kept.length > 0 ? kept.join(' ') : null };
}
