import type { Address } from '@popgate/contracts';

/**
 * Recipients as the compose form handles them: typed or pasted text split into `{name, address}`
 * chips, each checked the way the server checks it when the draft is sent.
 */

/** The server's own rule (contracts EmailAddress): something@something, no spaces or brackets. */
const ADDRESS = /^[^\s@<>(),;:"\\[\]]+@[^\s@<>(),;:"\\[\]]+$/;
const MAX_ADDRESS = 320;
const MAX_NAME = 200;

export function isValidAddress(address: string): boolean {
  return address.length >= 3 && address.length <= MAX_ADDRESS && ADDRESS.test(address);
}

/** What is wrong with a recipient, in words; null when it can be sent to. */
export function addressProblem(recipient: Address): string | null {
  const address = recipient.address.trim();
  if (!address) return `“${recipient.name}” has no email address.`;
  if (/[\r\n]/.test(address) || /[\r\n]/.test(recipient.name)) {
    return 'An address cannot contain a line break.';
  }
  if (address.length > MAX_ADDRESS) return 'This address is too long.';
  if (!address.includes('@')) return `“${address}” is not an email address: it has no @.`;
  if (!isValidAddress(address)) return `“${address}” is not a valid email address.`;
  if (recipient.name.length > MAX_NAME) return 'This name is too long.';
  return null;
}

/** Splits on commas, semicolons and line breaks that are outside quotes and angle brackets. */
function splitList(text: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  let angle = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (char === '\\' && quoted && i + 1 < text.length) {
      current += char + text[++i];
      continue;
    }
    if (char === '"') quoted = !quoted;
    else if (!quoted && char === '<') angle = true;
    else if (!quoted && char === '>') angle = false;
    if (!quoted && !angle && (char === ',' || char === ';' || char === '\n' || char === '\r')) {
      parts.push(current);
      current = '';
      continue;
    }
    current += char;
  }
  parts.push(current);
  return parts.map((part) => part.trim()).filter(Boolean);
}

const unquote = (name: string) =>
  name
    .trim()
    .replace(/^"(.*)"$/s, '$1')
    .replace(/\\(.)/g, '$1')
    .trim();

/** One recipient as typed: `Name <a@x>`, `"Doe, Jo" <a@x>`, `<a@x>`, `a@x` or `mailto:a@x`. */
export function parseAddress(text: string): Address {
  const trimmed = text.trim();
  const angled = /^(.*?)<([^<>]*)>\s*$/s.exec(trimmed);
  if (angled) return { name: unquote(angled[1]!), address: angled[2]!.trim() };
  const address = trimmed.replace(/^mailto:/i, '');
  return { name: '', address };
}

/** A list as pasted ("A <a@x>, b@y"): one recipient per entry, in order. */
export function parseAddresses(text: string): Address[] {
  return splitList(text).map(parseAddress);
}

/** "Name <address>", or the address alone. */
export function formatAddress(recipient: Address): string {
  if (!recipient.name) return recipient.address;
  const name = /[",;<>@()]/.test(recipient.name)
    ? `"${recipient.name.replace(/(["\\])/g, '\\$1')}"`
    : recipient.name;
  return recipient.address ? `${name} <${recipient.address}>` : name;
}

export const sameAddress = (a: Address, b: Address) =>
  a.address.trim().toLowerCase() === b.address.trim().toLowerCase();

/** Adds recipients that are not there yet (by address, case-insensitively). */
export function addRecipients(list: Address[], added: Address[]): Address[] {
  const result = [...list];
  for (const recipient of added) {
    if (!result.some((existing) => sameAddress(existing, recipient))) result.push(recipient);
  }
  return result;
}
