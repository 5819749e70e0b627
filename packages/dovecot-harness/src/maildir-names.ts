let lastMicros = 0;
let sequence = 0;

/**
 * A new maildir base name `<secs>.M<usecs>P<pid>Q<n>.popgate`. Timestamps strictly increase
 * within this process, because Dovecot numbers newly seen files by that timestamp: messages
 * delivered one after another therefore keep their delivery order in POP3.
 */
export function nextMaildirName(): string {
  const micros = Math.max(Date.now() * 1000, lastMicros + 1);
  lastMicros = micros;
  sequence += 1;
  const seconds = Math.floor(micros / 1_000_000);
  const usecs = micros % 1_000_000;
  return `${seconds}.M${usecs}P${process.pid}Q${sequence}.popgate`;
}

/** The name without its `:2,<flags>` info suffix: Dovecot's `%f`, i.e. the UIDL we configure. */
export function maildirBaseName(fileName: string): string {
  const colon = fileName.indexOf(':');
  return colon === -1 ? fileName : fileName.slice(0, colon);
}

function leadingNumber(text: string, from: number): { value: number; end: number } {
  let end = from;
  while (end < text.length && text.charCodeAt(end) >= 48 && text.charCodeAt(end) <= 57) end++;
  return { value: end === from ? 0 : Number(text.slice(from, end)), end };
}

/**
 * Dovecot's maildir_filename_sort_cmp(): seconds, then `.M` microseconds, then the whole name.
 * This is the order in which it hands out UIDs, hence the POP3 message order.
 */
export function compareMaildirNames(a: string, b: string): number {
  const secondsA = leadingNumber(a, 0);
  const secondsB = leadingNumber(b, 0);
  if (secondsA.value !== secondsB.value) return secondsA.value - secondsB.value;
  if (a.startsWith('.M', secondsA.end) && b.startsWith('.M', secondsB.end)) {
    const usecsA = leadingNumber(a, secondsA.end + 2).value;
    const usecsB = leadingNumber(b, secondsB.end + 2).value;
    if (usecsA !== usecsB) return usecsA - usecsB;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}
