const MESSAGE_ID = /<[^<>\s]{1,500}>/g;
/** References keeps its first id (the thread's start) and the latest ones: at most this many. */
const MAX_REFERENCES = 30;
/** Longer ids are not kept (an index key has a size limit; real ones are far shorter). */
const MAX_ID_LENGTH = 500;

/** One Message-ID as a header gives it: `<id>`, or a bare id from a careless mail program. */
export function oneMessageId(value: string | null | undefined): string | null {
  if (!value) return null;
  const bracketed = value.match(MESSAGE_ID)?.[0];
  if (bracketed) return bracketed;
  const bare = value.trim();
  return bare.length > 0 && bare.length <= MAX_ID_LENGTH && !/\s/.test(bare) ? `<${bare}>` : null;
}

/**
 * The ids a message names as its ancestors, oldest first: References (its first and latest
 * ids), then In-Reply-To. Bounded, so a References of thousands costs no more than thirty.
 */
export function ancestorIds(references: string | null, inReplyTo: string | null): string[] {
  const all = references?.match(MESSAGE_ID) ?? [];
  const kept =
    all.length > MAX_REFERENCES ? [all[0]!, ...all.slice(all.length - MAX_REFERENCES + 1)] : all;
  const parent = oneMessageId(inReplyTo);
  return [...new Set(parent ? [...kept, parent] : kept)];
}

/** The value of a stored header ([name, value] pairs, names lower-case as the parser gives them). */
export function headerValue(headers: unknown, name: string): string | null {
  if (!Array.isArray(headers)) return null;
  for (const entry of headers as unknown[]) {
    if (Array.isArray(entry) && entry[0] === name && typeof entry[1] === 'string') return entry[1];
  }
  return null;
}
