/**
 * Reply and forward prefixes in the languages mail programs write them in (Re, Aw, Sv, Antw,
 * Odp, Vs, Fwd, Fw, Wg, Tr, Rv, Enc, and the Chinese 回复/答复/转发), with counters ("Re[2]:") and
 * full-width colons.
 */
const PREFIX =
  /^\s*(?:re|aw|sv|antw|odp|vs|fwd?|wg|tr|rv|enc|回复|回覆|答复|转发|轉寄)(?:\s*\[\d+\])?\s*[:：]\s*/i;

/**
 * Subjects too common to say two messages belong together: joining by them would make one
 * conversation of unrelated mail.
 */
const GENERIC = new Set([
  '',
  'hi',
  'hello',
  'hey',
  'hallo',
  'test',
  'no subject',
  '(no subject)',
  'question',
  'questions',
  'thanks',
  'thank you',
  'fyi',
  'update',
  'info',
  'meeting',
  'reminder',
  'invoice',
  'message',
  'important',
  'urgent',
  'help',
]);

/** At most this many characters of a subject are compared (an index key has a size limit). */
const MAX_KEY = 200;

export interface SubjectKey {
  /** The subject without its prefixes, lower-cased, spaces collapsed; "" when generic. */
  key: string;
  /** The subject had a reply or forward prefix: only such a message joins by subject. */
  isReply: boolean;
}

/** How a subject is compared for the subject fallback of threading (JWZ's "base subject"). */
export function subjectKey(subject: string): SubjectKey {
  let rest = subject;
  let isReply = false;
  for (let i = 0; i < 20; i++) {
    const match = PREFIX.exec(rest);
    if (!match) break;
    rest = rest.slice(match[0].length);
    isReply = true;
  }
  const key = rest.replace(/\s+/g, ' ').trim().toLowerCase().slice(0, MAX_KEY);
  return { key: GENERIC.has(key) || key.length < 3 ? '' : key, isReply };
}
