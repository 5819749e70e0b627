/*
 * mbox in its mboxrd flavour: each message after a "From " line, with every body line that
 * matches /^>*From / given one more ">" (so quoting can always be undone), and an empty line
 * after it. Readers of mboxo (">From " only) read such a file well too.
 */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const pad = (n: number, width = 2, fill = '0') => String(n).padStart(width, fill);

/** The envelope line: "From sender asctime-date", in UTC. */
export function fromLine(sender: string, at: Date): string {
  // The envelope sender is one word: a missing or odd address becomes MAILER-DAEMON.
  const address = /^[^\s@]+@[^\s@]+$/.test(sender) ? sender : 'MAILER-DAEMON';
  const date =
    `${DAYS[at.getUTCDay()]} ${MONTHS[at.getUTCMonth()]} ${pad(at.getUTCDate(), 2, ' ')} ` +
    `${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}:${pad(at.getUTCSeconds())} ${at.getUTCFullYear()}`;
  return `From ${address} ${date}\n`;
}

const GT = 0x3e;
const FROM_ = Buffer.from('From ');

/** True when the line starting at `start` is ">*From ". */
function isFromLine(raw: Buffer, start: number): boolean {
  let at = start;
  while (at < raw.length && raw[at] === GT) at++;
  return raw.length - at >= 5 && raw.compare(FROM_, 0, 5, at, at + 5) === 0;
}

/**
 * One message as mboxrd: the From line, the quoted bytes, and the empty line that ends it (a
 * message not ending in a newline gets one first: the only change a round trip can see).
 */
export function mboxrdEntry(raw: Buffer, sender: string, at: Date): Buffer[] {
  const parts: Buffer[] = [Buffer.from(fromLine(sender, at))];
  let copied = 0;
  for (let start = 0; start < raw.length;) {
    if (isFromLine(raw, start)) {
      parts.push(raw.subarray(copied, start), Buffer.from('>'));
      copied = start;
    }
    const end = raw.indexOf(0x0a, start);
    if (end < 0) break;
    start = end + 1;
  }
  parts.push(raw.subarray(copied));
  parts.push(Buffer.from(raw.length > 0 && raw[raw.length - 1] === 0x0a ? '\n' : '\n\n'));
  return parts;
}
