/**
 * The admin policy's lists as the form edits them: one entry a line (commas work too). Networks
 * are checked here the way the server checks them, so the form can name the bad entry at once.
 */

export function parseList(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((entry) => entry.trim())
    .filter(Boolean);
}

export const formatList = (entries: readonly (string | number)[]): string => entries.join('\n');

function isIPv4(text: string): boolean {
  const parts = text.split('.');
  return (
    parts.length === 4 &&
    parts.every((part) => /^\d{1,3}$/.test(part) && Number(part) <= 255 && String(+part) === part)
  );
}

function isIPv6(text: string): boolean {
  if (!/^[0-9a-f:.]+$/i.test(text) || text.split('::').length > 2) return false;
  const [head = '', tail] = text.split('::');
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  const all = [...groups(head), ...(tail === undefined ? [] : groups(tail))];
  // An IPv4 address may end it ("::ffff:192.0.2.1"), standing for two groups.
  const last = all.at(-1) ?? '';
  const embedded = last.includes('.');
  if (embedded && !isIPv4(last)) return false;
  const hex = embedded ? all.slice(0, -1) : all;
  if (!hex.every((group) => /^[0-9a-f]{1,4}$/i.test(group))) return false;
  const count = hex.length + (embedded ? 2 : 0);
  return tail === undefined ? count === 8 : count <= 7;
}

/** A CIDR block ("10.0.0.0/8", "2001:db8::/32") or a single address. */
export function isNetwork(entry: string): boolean {
  const [address = '', prefix, extra] = entry.split('/');
  if (extra !== undefined) return false;
  const max = isIPv4(address) ? 32 : isIPv6(address) ? 128 : 0;
  if (max === 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= max;
}

/** A server name, or every name under a domain ("*.example.com", ".example.com"). */
export function isHostPattern(entry: string): boolean {
  const name = entry.replace(/^\*?\./, '').replace(/\.$/, '');
  if (isIPv4(name) || isIPv6(name.replace(/^\[(.*)\]$/, '$1'))) return true;
  return (
    name.length > 0 &&
    name.length <= 253 &&
    name.split('.').every((label) => /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/i.test(label))
  );
}

/** Ports as the form has them: whole numbers from 1 to 65535; the first bad one is named. */
export function parsePorts(text: string): { ports: number[]; bad: string | null } {
  const entries = parseList(text);
  const bad = entries.find((entry) => !/^\d{1,5}$/.test(entry) || +entry < 1 || +entry > 65535);
  return { ports: bad ? [] : entries.map(Number), bad: bad ?? null };
}
