import { spawn } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FetchTarget } from './fetch-with-popgate';

export interface MpopOptions {
  /**
   * Deliver only messages whose UIDL is not yet in the UIDL file of `workDir` (mpop's own
   * "poll" mode); by default every message is delivered.
   */
  onlyNew?: boolean;
}

/**
 * Runs mpop against the same mailbox: TLS on, the same CA trusted, --keep so the mailbox
 * stays full, every message (or only new ones) delivered to a maildir. Answers how many
 * messages the maildir holds afterwards.
 */
export async function fetchWithMpop(
  target: FetchTarget,
  workDir: string,
  options: MpopOptions = {},
): Promise<number> {
  const maildir = join(workDir, 'maildir');
  for (const sub of ['cur', 'new', 'tmp']) await mkdir(join(maildir, sub), { recursive: true });
  const caFile = join(workDir, 'ca.pem');
  await writeFile(caFile, target.caPem);
  const configFile = join(workDir, 'mpoprc');
  await writeFile(
    configFile,
    [
      'defaults',
      'tls on',
      'tls_starttls off',
      `tls_trust_file ${caFile}`,
      'auth on',
      `only_new ${options.onlyNew ? 'on' : 'off'}`,
      'keep on',
      `uidls_file ${join(workDir, 'uidls')}`,
      `delivery maildir ${maildir}`,
      'account bench',
      `host ${target.host}`,
      `port ${target.port}`,
      `user ${target.username}`,
      `password ${target.password}`,
      'account default : bench',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  await new Promise<void>((resolve, reject) => {
    const child = spawn('mpop', ['--quiet', '--keep', '-C', configFile, 'bench'], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`mpop exited with ${code}`)),
    );
  });
  return (
    (await readdir(join(maildir, 'new'))).length + (await readdir(join(maildir, 'cur'))).length
  );
}
