/**
 * The demo's generated mail carries the dates of its fixed corpus (early 2023); a newcomer should
 * see a mailbox of recent mail and new mail dated when it arrives. These rewrite the Date header
 * and leave every other byte as it was.
 */

const HEADER_END = /\r?\n\r?\n/u;
const DATE_HEADER = /^Date:[^\r\n]*(?:\r?\n[ \t][^\r\n]*)*/imu;

/** RFC 5322's date-time in UTC: "Mon, 07 Dec 2026 13:14:35 +0000". */
export function rfc5322Date(date: Date): string {
  return date.toUTCString().replace(/GMT$/u, '+0000');
}

/** The message's Date header, or null when it has none that reads as a date. */
export function dateOf(message: Buffer): Date | null {
  const header = headerSection(message);
  const value = DATE_HEADER.exec(header)?.[0].slice('Date:'.length).trim();
  const date = value ? new Date(value) : null;
  return date && !Number.isNaN(date.getTime()) ? date : null;
}

/** The message with its Date header saying `date` (added at the top when it had none). */
export function redate(message: Buffer, date: Date): Buffer {
  const header = headerSection(message);
  const line = `Date: ${rfc5322Date(date)}`;
  const rest = message.subarray(Buffer.byteLength(header, 'latin1'));
  const newHeader = DATE_HEADER.test(header)
    ? header.replace(DATE_HEADER, line)
    : `${line}\r\n${header}`;
  return Buffer.concat([Buffer.from(newHeader, 'latin1'), rest]);
}

/**
 * The corpus moved forward in time as a whole, so that its newest message is dated `newest`;
 * the gaps between messages stay as they were.
 */
export function endingAt(messages: Buffer[], newest: Date): Buffer[] {
  const dates = messages.map(dateOf);
  const latest = Math.max(...dates.map((date) => date?.getTime() ?? -Infinity));
  if (!Number.isFinite(latest)) return messages;
  const shift = newest.getTime() - latest;
  return messages.map((message, i) => {
    const date = dates[i];
    return date ? redate(message, new Date(date.getTime() + shift)) : message;
  });
}

/** The header section (up to the blank line, not included), read byte for byte. */
function headerSection(message: Buffer): string {
  const text = message.toString('latin1');
  const end = HEADER_END.exec(text);
  return end ? text.slice(0, end.index) : text;
}
