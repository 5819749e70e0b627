import { chmod, chown, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { PostfixIdentities } from './system-accounts';

/**
 * The queue folders `postfix check` would create (Postfix's postfix-files), made here so
 * that nothing under /etc/postfix is consulted. The master refuses to start without them.
 */
export async function createQueueDirectory(
  queueDir: string,
  dataDir: string,
  identities: PostfixIdentities,
): Promise<void> {
  const { owner, setgidGroup } = identities;
  const folders: Array<{ name: string; uid: number; gid: number; mode: number }> = [
    ...['active', 'bounce', 'corrupt', 'defer', 'deferred', 'flush', 'hold', 'incoming']
      .concat(['private', 'saved', 'trace'])
      .map((name) => ({ name, uid: owner.uid, gid: 0, mode: 0o700 })),
    { name: 'maildrop', uid: owner.uid, gid: setgidGroup.gid, mode: 0o730 },
    { name: 'public', uid: owner.uid, gid: setgidGroup.gid, mode: 0o710 },
    { name: 'pid', uid: 0, gid: 0, mode: 0o755 },
  ];
  await mkdir(queueDir, { mode: 0o755 });
  for (const folder of folders) {
    const path = join(queueDir, folder.name);
    await mkdir(path);
    await chown(path, folder.uid, folder.gid);
    // mkdir's mode is filtered by the umask; these must be exact.
    await chmod(path, folder.mode);
  }
  await mkdir(dataDir, { mode: 0o700 });
  await chown(dataDir, owner.uid, owner.gid);
}
