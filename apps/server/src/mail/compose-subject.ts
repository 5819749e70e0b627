/** Leading reply prefixes in the languages mail programs write them in: Re, RE, Aw, Sv, Antw, Odp. */
const REPLY_PREFIXES = /^\s*(?:(?:re|aw|sv|antw|odp|vs)(?:\[\d+\])?\s*:\s*)+/i;
const FORWARD_PREFIXES = /^\s*(?:(?:fwd?|wg|tr|rv|enc)(?:\[\d+\])?\s*:\s*)+/i;

/** "Re: subject" once: "Re: Re: x", "RE: x" and "Aw: x" all become "Re: x". */
export function replySubject(subject: string): string {
  return `Re: ${subject.replace(REPLY_PREFIXES, '').trim()}`;
}

/** "Fwd: subject" once: "Fwd: x" and "Fw: x" become "Fwd: x"; a reply's "Re:" is kept after it. */
export function forwardSubject(subject: string): string {
  return `Fwd: ${subject.replace(FORWARD_PREFIXES, '').trim()}`;
}
