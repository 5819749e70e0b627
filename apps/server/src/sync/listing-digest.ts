import { createHash } from 'node:crypto';

/**
 * What a check compares with the account's `listingDigest`: the server's UIDL listing, in order,
 * with the mailbox it came from (host, port, user), so that pointing the account at another
 * mailbox never matches an old digest.
 */
export function listingDigest(
  mailbox: { host: string; port: number; username: string },
  uidls: Iterable<string>,
): string {
  const hash = createHash('sha256').update(`${mailbox.host}\n${mailbox.port}\n${mailbox.username}`);
  // UIDLs never hold white space (see stored-uidls.ts), so a line break separates them.
  for (const uidl of uidls) hash.update('\n').update(uidl);
  return hash.digest('base64url');
}
