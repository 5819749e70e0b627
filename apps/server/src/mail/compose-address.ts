import { domainToASCII } from 'node:url';

/** An address as drafts and identities hold it (DESIGN.md: `{name, address}` everywhere). */
export interface ComposeAddress {
  name: string;
  address: string;
}

/** RFC 5322 atext, and any letter or digit beyond ASCII (RFC 6531 lets a mailbox be UTF-8). */
const LOCAL_PART = /^[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+(?:\.[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+)*$/u;
const DNS_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * Whether `address` is one mailbox a mail server would take: local@domain, the local part a
 * dot-atom, the domain a DNS name of two labels or more (internationalised domains allowed: they
 * are checked in their ASCII form) or an address literal is not accepted.
 */
export function isMailboxAddress(address: string): boolean {
  if (address.length > 320) return false;
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1) return false;
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (local.length > 64 || !LOCAL_PART.test(local)) return false;
  const ascii = domainToASCII(domain);
  if (!ascii || ascii.length > 253) return false;
  const labels = ascii.split('.');
  return labels.length >= 2 && labels.every((label) => DNS_LABEL.test(label));
}

/** The domain of an address in its ASCII form (for a Message-ID), or null. */
export function asciiDomainOf(address: string): string | null {
  const at = address.lastIndexOf('@');
  if (at < 0) return null;
  return domainToASCII(address.slice(at + 1)) || null;
}

/** A line break (or any control character but tab) would end the header and start a new one. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const HEADER_BREAKING = /[\u0000-\u0008\u000a-\u001f\u007f\u2028\u2029]/;
export const breaksHeader = (value: string): boolean => HEADER_BREAKING.test(value);

/** Lower-cased address: addresses are compared case-insensitively. */
export const addressKey = (address: string): string => address.trim().toLowerCase();

/** The addresses in order, each once (compared case-insensitively), without those in `except`. */
export function uniqueAddresses<T extends { address: string }>(
  list: readonly T[],
  except: ReadonlySet<string> = new Set(),
): T[] {
  const seen = new Set(except);
  const out: T[] = [];
  for (const item of list) {
    const key = addressKey(item.address);
    if (!key || seen.has(key)) continue;
    seen.add(key);
    out.push(item);
  }
  return out;
}
