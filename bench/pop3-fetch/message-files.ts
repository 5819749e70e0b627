import { open } from 'node:fs/promises';
import { join } from 'node:path';

/** Files being written at once: enough to keep the thread pool busy, few enough to bound memory. */
const CONCURRENT_WRITES = 8;

/**
 * Writes one file per message the way a maildir delivery does (write, fsync, close), several
 * at a time so the network side never waits for the disk. `save` resolves once there is room
 * for another write; `finish` waits for every write and reports the first failure.
 */
export class MessageFiles {
  private readonly writing = new Set<Promise<void>>();
  private failure: unknown;

  constructor(private readonly dir: string) {}

  async save(name: string, bytes: Buffer): Promise<void> {
    while (this.writing.size >= CONCURRENT_WRITES) await Promise.race(this.writing);
    if (this.failure) throw this.failure;
    const write = this.write(join(this.dir, name), bytes).then(
      () => {
        this.writing.delete(write);
      },
      (error: unknown) => {
        this.failure ??= error;
        this.writing.delete(write);
      },
    );
    this.writing.add(write);
  }

  async finish(): Promise<void> {
    await Promise.all(this.writing);
    if (this.failure) throw this.failure;
  }

  private async write(path: string, bytes: Buffer): Promise<void> {
    const file = await open(path, 'wx');
    try {
      await file.writeFile(bytes);
      await file.sync();
    } finally {
      await file.close();
    }
  }
}
