import { chown, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compareMaildirNames, maildirBaseName, nextMaildirName } from './maildir-names';
import type { SystemAccount } from './system-accounts';

export interface MaildirMessageFile {
  /** Absolute path as it is now (Dovecot moves files from new/ to cur/ and adds flags). */
  file: string;
  /** The maildir base name: what deliver() returned, and the UIDL Dovecot reports. */
  uidl: string;
  bytes: Buffer;
}

const SUBFOLDERS = ['tmp', 'new', 'cur'] as const;

/** The maildirs of every user, written the way an MDA would: tmp/ first, then rename to new/. */
export class MaildirStore {
  constructor(
    private readonly root: string,
    private readonly owner: SystemAccount,
    private readonly usernames: Set<string>,
  ) {}

  userDir(username: string): string {
    if (!this.usernames.has(username)) throw new Error(`unknown Dovecot user ${username}`);
    return join(this.root, username);
  }

  async create(username: string): Promise<void> {
    const dir = this.userDir(username);
    for (const path of [dir, ...SUBFOLDERS.map((sub) => join(dir, sub))]) {
      await mkdir(path, { recursive: true, mode: 0o700 });
      await chown(path, this.owner.uid, this.owner.gid);
    }
  }

  async deliver(username: string, raw: Buffer): Promise<string> {
    const dir = this.userDir(username);
    const name = nextMaildirName();
    const staged = join(dir, 'tmp', name);
    await writeFile(staged, raw, { mode: 0o600 });
    await chown(staged, this.owner.uid, this.owner.gid);
    await rename(staged, join(dir, 'new', name));
    return name;
  }

  /**
   * Dovecot renames files from new/ to cur/ (and deletes them) while a session runs: when a
   * file vanishes between listing and reading, look again.
   */
  async list(username: string): Promise<MaildirMessageFile[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.listOnce(username);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 20) throw error;
      }
    }
  }

  private async listOnce(username: string): Promise<MaildirMessageFile[]> {
    const dir = this.userDir(username);
    const found: Array<{ file: string; uidl: string }> = [];
    for (const sub of ['cur', 'new']) {
      for (const name of await readdir(join(dir, sub))) {
        found.push({ file: join(dir, sub, name), uidl: maildirBaseName(name) });
      }
    }
    found.sort((a, b) => compareMaildirNames(a.uidl, b.uidl));
    return Promise.all(
      found.map(async (entry) => ({ ...entry, bytes: await readFile(entry.file) })),
    );
  }

  /** Removes every message; Dovecot notices on its next mailbox sync. */
  async clear(username: string): Promise<void> {
    const dir = this.userDir(username);
    for (const sub of SUBFOLDERS) {
      for (const name of await readdir(join(dir, sub))) {
        await rm(join(dir, sub, name), { force: true });
      }
    }
  }
}
