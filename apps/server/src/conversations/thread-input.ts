import { ancestorIds, headerValue, oneMessageId } from './message-ids';
import { subjectKey } from './subject-key';

// eslint-disable-next-line no-control-regex -- PostgreSQL text cannot hold NUL
const NUL = /\u0000/g;

/** What threading reads of a message. */
export interface ThreadInput {
  /** Its own Message-ID, `<…>`; null when it has none. */
  messageId: string | null;
  /** The ids it names as ancestors (References, In-Reply-To), oldest first. */
  ancestors: string[];
  /** The subject's key for the subject fallback ("" when it must not join by subject). */
  subjectKey: string;
  isReply: boolean;
  subject: string;
  /** The Date header (or the arrival when it has none). */
  date: Date;
}

/** A message's threading input, from its stored or parsed fields. */
export function threadInput(message: {
  messageId: string | null;
  inReplyTo: string | null;
  headers: unknown;
  subject: string;
  date: Date;
}): ThreadInput {
  const subject = message.subject.replace(NUL, '');
  const { key, isReply } = subjectKey(subject);
  const messageId = oneMessageId(message.messageId?.replace(NUL, ''));
  const references = headerValue(message.headers, 'references')?.replace(NUL, '') ?? null;
  return {
    messageId,
    ancestors: ancestorIds(references, message.inReplyTo?.replace(NUL, '') ?? null).filter(
      (id) => id !== messageId,
    ),
    subjectKey: key,
    isReply,
    subject: subject.slice(0, 1000),
    date: message.date,
  };
}
