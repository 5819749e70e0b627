import { Pop3Client } from './client';
import type { MaildropStat } from './commands/stat';
import type { Pop3ConnectOptions } from './options';
import type { Pop3ServerInfo } from './server-info';

export interface Pop3ProbeResult extends Pop3ServerInfo {
  /** Message count and size, when the probe logged in. */
  maildrop: MaildropStat | null;
}

/**
 * Tries a server the way a "test connection" button should: connect, optionally log in,
 * gather what the server says about itself, and leave with QUIT (nothing is marked, so
 * nothing changes). Rejects with the Pop3Error that explains what did not work.
 */
export async function probeServer(options: Pop3ConnectOptions): Promise<Pop3ProbeResult> {
  const client = await Pop3Client.connect(options);
  try {
    const maildrop = options.auth ? await client.stat() : null;
    const info = client.serverInfo();
    try {
      await client.quit();
    } catch {
      // The answers are in; a failed goodbye changes nothing for a session that marked nothing.
    }
    return { ...info, maildrop };
  } finally {
    client.destroy();
  }
}
