import { Pop3Client } from '@popgate/pop3';
import { MessageFiles } from './message-files';

export interface FetchTarget {
  host: string;
  port: number;
  caPem: string;
  username: string;
  password: string;
}

/** Popgate's POP3 client logged in to the target over implicit TLS, trusting its CA. */
export function connectOverTls(target: FetchTarget): Promise<Pop3Client> {
  return Pop3Client.connect({
    host: target.host,
    port: target.port,
    security: 'tls',
    tls: { caPem: target.caPem },
    auth: { username: target.username, password: target.password },
  });
}

/**
 * Fetches the whole mailbox over implicit TLS, one file per message (written and fsynced,
 * as mpop's maildir delivery does); keeps everything on the server.
 */
export async function fetchWithPopgate(target: FetchTarget, outDir: string): Promise<number> {
  const client = await connectOverTls(target);
  const files = new MessageFiles(outDir);
  const listing = await client.list();
  const result = await client.fetchMany(
    listing.map((entry) => entry.number),
    { onMessage: (number, bytes) => files.save(`${number}.eml`, bytes) },
  );
  if (result.error) throw result.error;
  await client.quit();
  await files.finish();
  return result.fetched.length;
}
