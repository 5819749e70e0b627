import { chown, mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MaildirMessageFile } from '@popgate/dovecot-harness';
import { compareMaildirNames, maildirBaseName } from '@popgate/dovecot-harness/support';

/**
 * The maildir that receives what authenticated clients send to other domains, so a send
 * test can read what would have left the machine. Written by virtual(8) as Dovecot's mail
 * account, like the users' maildirs.
 */
export class SinkMaildir {
  constructor(readonly dir: string) {}

  async create(owner: { uid: number; gid: number }): Promise<void> {
    for (const path of [this.dir, ...['tmp', 'new', 'cur'].map((sub) => join(this.dir, sub))]) {
      await mkdir(path, { mode: 0o700 });
      await chown(path, owner.uid, owner.gid);
    }
  }

  /** Delivered messages (new/ and cur/), oldest first by Dovecot's maildir order. */
  async list(): Promise<MaildirMessageFile[]> {
    const found: Array<{ file: string; uidl: string }> = [];
    for (const sub of ['cur', 'new']) {
      for (const name of await readdir(join(this.dir, sub))) {
        found.push({ file: join(this.dir, sub, name), uidl: maildirBaseName(name) });
      }
    }
    found.sort((a, b) => compareMaildirNames(a.uidl, b.uidl));
    return Promise.all(
      found.map(async (entry) => ({ ...entry, bytes: await readFile(entry.file) })),
    );
  }
}
