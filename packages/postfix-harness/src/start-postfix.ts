import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Dovecot, MaildirMessageFile } from '@popgate/dovecot-harness';
import {
  guardAgainstOrphan,
  reserveFreePorts,
  shutDown,
  waitForGreeting,
} from '@popgate/dovecot-harness/support';
import { generateSelfSignedCert } from '@popgate/pop3-server';
import { POSTFIX_COMMAND, POSTFIX_MASTER } from './available';
import { renderMailboxMap, renderMainCf, renderMasterCf } from './config';
import { DeliveryWatcher, type DeliveredMessage, type DeliveryMatch } from './deliveries';
import { createQueueDirectory } from './queue';
import { SinkMaildir } from './sink';
import { choosePostfixIdentities } from './system-accounts';
import { watchedCommand } from './watchdog';

export interface StartPostfixOptions {
  /** Checks SMTP AUTH (its users and passwords) and serves the delivered mail over POP3. */
  dovecot: Dovecot;
  /**
   * Dovecot user `name` receives mail as `name@<domain>` (a username that contains @ is used
   * as it is, and its domain is served too). Default `example.test`.
   */
  domain?: string;
  /** Also listen without TLS, AUTH allowed in clear text. Default false. */
  plainListener?: boolean;
  /** message_size_limit in bytes (SIZE in EHLO). Default 10240000, Postfix's own. */
  messageSizeLimit?: number;
  /** Appended to the generated main.cf; a setting repeated here wins. */
  extraMainCf?: string;
  /** Give up waiting for every port to greet after this long. Default 30 s. */
  startTimeoutMs?: number;
}

export interface Postfix {
  host: string;
  /** Submission: STARTTLS required before MAIL, AUTH before RCPT. */
  submissionPort: number;
  /** Implicit TLS, AUTH before RCPT. */
  smtpsPort: number;
  /** Only with `plainListener: true`: no TLS, AUTH in clear text, relaying only after AUTH. */
  plainPort?: number;
  /** The self-signed certificate to trust (CN and SAN: localhost and IP 127.0.0.1). */
  caPem: string;
  /** Its SHA-256 fingerprint, hex lowercase without colons. */
  certSha256: string;
  domain: string;
  /** The address each Dovecot user receives mail at. */
  addressOf(username: string): string;
  /**
   * The root of this instance's process tree: a watchdog shell whose child is Postfix's
   * master (smtpd, cleanup, qmgr, virtual… run below that).
   */
  pid: number;
  /** The private folder holding config, queue, sink and log. */
  dir: string;
  configDir: string;
  /**
   * The first message a Dovecot user (or, for a predicate, any maildir including the sink)
   * holds that no earlier call returned. Rejects after `timeoutMs` (default 10 s) with the
   * end of Postfix's log.
   */
  waitForDelivery(match: DeliveryMatch, timeoutMs?: number): Promise<DeliveredMessage>;
  /** What authenticated clients sent to addresses outside the domains, oldest first. */
  sinkMessages(): Promise<MaildirMessageFile[]>;
  log(): Promise<string>;
  /** Ends every Postfix process of this instance and removes its folder. */
  stop(): Promise<void>;
}

async function readIfPresent(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return '';
  }
}

function portTaken(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(true));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(false)));
  });
}

/** Postfix's own verdict on a configuration, for error messages. */
function postfixCheck(configDir: string): string {
  const result = spawnSync(POSTFIX_COMMAND, ['-c', configDir, 'check'], { encoding: 'utf8' });
  return `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
}

class PortCollision extends Error {}

async function startOnce(options: StartPostfixOptions): Promise<Postfix> {
  const { dovecot } = options;
  const domain = (options.domain ?? 'example.test').toLowerCase();
  const addressOf = (username: string) =>
    username.includes('@') ? username : `${username}@${domain}`;
  const domains = [
    ...new Set([domain, ...dovecot.users.map((user) => addressOf(user.username).split('@')[1])]),
  ] as string[];
  const identities = choosePostfixIdentities();
  const firstUser = dovecot.users[0];
  if (!firstUser) throw new Error('the Dovecot has no user to deliver to');
  // virtual(8) must write files Dovecot can read: as the owner of its maildirs.
  const maildirOwner = await stat(dovecot.maildirPath(firstUser.username));
  const mailOwner = { uid: maildirOwner.uid, gid: maildirOwner.gid };

  const parent = tmpdir().length <= 40 ? tmpdir() : '/tmp';
  const dir = await mkdtemp(join(parent, 'popgate-postfix-'));
  // Postfix daemons run as `postfix`, virtual(8) as the mail account: both traverse this.
  await chmod(dir, 0o755);
  const paths = {
    configDir: join(dir, 'etc'),
    queueDir: join(dir, 'queue'),
    dataDir: join(dir, 'data'),
    logPath: join(dir, 'postfix.log'),
    startupLog: join(dir, 'startup.log'),
    certPath: join(dir, 'cert.pem'),
    keyPath: join(dir, 'key.pem'),
    mailboxMapPath: join(dir, 'etc', 'mailboxes.regexp'),
    sinkDir: join(dir, 'sink'),
  };
  const sink = new SinkMaildir(paths.sinkDir);
  let child: ChildProcess | undefined;
  let release: () => void = () => {};
  try {
    await mkdir(paths.configDir);
    await createQueueDirectory(paths.queueDir, paths.dataDir, identities);
    await sink.create(mailOwner);
    const certificate = await generateSelfSignedCert();
    await writeFile(paths.certPath, certificate.cert);
    // smtpd reads its key as root, before it drops privileges.
    await writeFile(paths.keyPath, certificate.key, { mode: 0o600 });

    const ports = await reserveFreePorts(options.plainListener ? 3 : 2);
    const [submissionPort, smtpsPort, plainPort] = ports as [number, number, number?];
    const input = {
      ...paths,
      saslSocketPath: dovecot.authSocketPath,
      domains,
      mailOwner,
      identities,
      submissionPort,
      smtpsPort,
      plainPort,
      messageSizeLimit: options.messageSizeLimit ?? 10_240_000,
      extraMainCf: options.extraMainCf,
    };
    await writeFile(join(paths.configDir, 'main.cf'), renderMainCf(input));
    await writeFile(join(paths.configDir, 'master.cf'), renderMasterCf(input));
    await writeFile(
      paths.mailboxMapPath,
      renderMailboxMap(
        dovecot.users.map(({ username }) => ({
          address: addressOf(username),
          maildir: dovecot.maildirPath(username),
        })),
        domains,
        paths.sinkDir,
      ),
    );

    const startupLog = openSync(paths.startupLog, 'a');
    // -s: stay in the foreground (what `postfix start-fg` runs), below the watchdog.
    const command = watchedCommand([POSTFIX_MASTER, '-c', paths.configDir, '-s']);
    try {
      child = spawn(command[0] as string, command.slice(1), {
        stdio: ['ignore', startupLog, startupLog],
        cwd: '/',
      });
    } finally {
      closeSync(startupLog);
    }
    const master = child;
    master.unref();
    let dead = false;
    master.once('exit', () => (dead = true));
    await new Promise<void>((resolve, reject) => {
      master.once('spawn', () => resolve());
      master.once('error', reject);
    });
    const pid = master.pid as number;
    release = guardAgainstOrphan(pid, dir);

    const host = '127.0.0.1';
    const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
    const probe = { deadline, isDead: () => dead, greeting: '220 ' };
    try {
      await Promise.all([
        waitForGreeting({ host, port: submissionPort }, probe),
        waitForGreeting({ host, port: smtpsPort, caPem: certificate.cert }, probe),
        ...(plainPort === undefined ? [] : [waitForGreeting({ host, port: plainPort }, probe)]),
      ]);
    } catch (error) {
      // A master that cannot bind exits at once and says why only to syslog: look ourselves.
      if (dead) {
        const taken = await Promise.all(ports.map((port) => portTaken(port)));
        if (taken.some(Boolean)) throw new PortCollision('a reserved port was taken');
      }
      const logs = (await readIfPresent(paths.startupLog)) + (await readIfPresent(paths.logPath));
      throw new Error(
        `Postfix did not start: ${String(error)}\n${logs}\npostfix check: ${postfixCheck(paths.configDir)}`,
        { cause: error },
      );
    }

    let finalLog: string | undefined;
    let stopping: Promise<void> | undefined;
    const log = async () => finalLog ?? (await readIfPresent(paths.logPath));
    const watcher = new DeliveryWatcher(dovecot, sink, async () =>
      (await log()).split('\n').slice(-20).join('\n'),
    );
    return {
      host,
      submissionPort,
      smtpsPort,
      plainPort,
      caPem: certificate.cert,
      certSha256: certificate.sha256,
      domain,
      addressOf,
      pid,
      dir,
      configDir: paths.configDir,
      waitForDelivery: (match, timeoutMs = 10_000) => watcher.wait(match, timeoutMs),
      sinkMessages: () => sink.list(),
      log,
      stop: () => {
        stopping ??= (async () => {
          await shutDown(master);
          finalLog = await readIfPresent(paths.logPath);
          release();
          await rm(dir, { recursive: true, force: true });
        })();
        return stopping;
      },
    };
  } catch (error) {
    if (child && child.exitCode === null && child.signalCode === null) await shutDown(child);
    release();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Starts a private Postfix that authenticates against `dovecot` and delivers into its
 * maildirs; resolves once every listener greets with 220. Stop it before the Dovecot.
 */
export async function startPostfix(options: StartPostfixOptions): Promise<Postfix> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options);
    } catch (error) {
      // Another process may grab a reserved port before Postfix binds it: take new ports.
      if (!(error instanceof PortCollision) || attempt >= 5) throw error;
    }
  }
}
