import type { SmtpFailure } from './transport';

export type Verdict =
  /** The server refused it, or trying again cannot help: no retry. */
  | { kind: 'failed'; code: string; reply: string }
  /** Nothing was accepted and it may work later: queued again after a pause. */
  | { kind: 'retry'; code: string; reply: string }
  /** It may or may not have gone: the user decides (retry, maybe twice, or discard). */
  | { kind: 'unknown'; code: 'OUTCOME_UNKNOWN'; reply: string };

const SMTP_REPLY = /^([245])\d\d[ -]/;

/** What the user reads of a hand-over its sender never finished (the process stopped). */
export const ABANDONED_HANDOVER_MESSAGE =
  'Popgate stopped while handing this message to the server: it may have been sent. Check Sent ' +
  'or ask a recipient; then retry (it may arrive twice) or discard it.';

const UNKNOWN_ADVICE = 'Then retry (it may arrive twice) or discard it.';

/**
 * The rule of docs/sending.md, applied to a failed connection or hand-over:
 * 1. a reply from the server decides: 5xx fails for good (no retry), 4xx is tried again later,
 *    wherever it came (a reply to the final "." means the message was not taken);
 * 2. without a reply, a failure after the server answered DATA with 354 (the bytes were on
 *    their way, maybe the final "." too) leaves the outcome unknown;
 * 3. before that nothing can have been accepted: tried again, unless the failure cannot go away
 *    by itself (an untrusted certificate, a refused password, the admin's policy).
 */
export function verdictOf(failure: SmtpFailure): Verdict {
  const reply = failure.reply?.trim();
  const replyClass = reply ? SMTP_REPLY.exec(reply)?.[1] : undefined;
  if (replyClass === '5') return { kind: 'failed', code: failure.code, reply: failure.message };
  if (replyClass === '4') return { kind: 'retry', code: failure.code, reply: failure.message };
  if (failure.outcomeUnknown) {
    return {
      kind: 'unknown',
      code: 'OUTCOME_UNKNOWN',
      reply: `${failure.message} ${UNKNOWN_ADVICE}`,
    };
  }
  return failure.permanent
    ? { kind: 'failed', code: failure.code, reply: failure.message }
    : { kind: 'retry', code: failure.code, reply: failure.message };
}
