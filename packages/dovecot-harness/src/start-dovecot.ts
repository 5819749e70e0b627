import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { openSync, closeSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOVECOT_BINARY } from './available';
import { generateSelfSignedCert } from '@popgate/pop3-server';
import {
  DEFAULT_AUTH_MECHANISMS,
  renderDovecotConfig,
  renderOAuth2Settings,
  type DovecotOAuth2,
} from './config';
import { reserveFreePorts } from './free-ports';
import { waitForGreeting } from './greeting-probe';
import { expectedPop3Bytes } from './line-endings';
import { MaildirStore, type MaildirMessageFile } from './maildir';
import { guardAgainstOrphan } from './orphan-guard';
import { deathSignalPrefix, shutDown } from './supervision';
import { chooseDovecotIdentities } from './system-accounts';
import { DEFAULT_USERS, renderPasswdFile, validateUsers, type DovecotUser } from './users';

export interface StartDovecotOptions {
  /** Default: one user `user` / `secret` with access token `user-access-token`. */
  users?: DovecotUser[];
  /** Appended to the generated dovecot.conf; a setting repeated here wins. */
  extraConfig?: string;
  /** Default: plain login cram-md5 digest-md5 scram-sha-1 scram-sha-256 apop xoauth2 oauthbearer. */
  authMechanisms?: string[];
  /** pop3_lock_session: a second session for the same user waits ~10 s, then -ERR [IN-USE]. */
  lockSession?: boolean;
  /**
   * Check XOAUTH2/OAUTHBEARER tokens at an OAuth2 provider's introspection endpoint (Dovecot's
   * oauth2 passdb) instead of against the users' fixed `accessToken`s.
   */
  oauth2?: DovecotOAuth2;
  /** Give up waiting for both ports to greet after this long. Default 30 s. */
  startTimeoutMs?: number;
}

export interface Dovecot {
  host: string;
  /** Plain text; STLS offered. */
  plainPort: number;
  /** Implicit TLS. */
  tlsPort: number;
  /** The self-signed certificate to trust (CN and SAN: localhost and IP 127.0.0.1). */
  caPem: string;
  /** Its SHA-256 fingerprint, hex lowercase without colons. */
  certSha256: string;
  users: DovecotUser[];
  /** The master process id (its children are login, auth and pop3 processes). */
  pid: number;
  /** The private folder holding config, sockets, logs and maildirs. */
  dir: string;
  configPath: string;
  /**
   * Absolute path of an auth socket any local user may connect to: Postfix's
   * `smtpd_sasl_type = dovecot` / `smtpd_sasl_path` checks SMTP AUTH against these users.
   */
  authSocketPath: string;
  /** The user's maildir (holding tmp/, new/, cur/), owned by the account mail is read as. */
  maildirPath(username: string): string;
  /** Stores a message in the user's new/; returns its maildir name, which is also its UIDL. */
  deliver(username: string, raw: Buffer): Promise<string>;
  /** Messages now in cur/ and new/, in POP3 order. */
  messageFiles(username: string): Promise<MaildirMessageFile[]>;
  clear(username: string): Promise<void>;
  /** What a POP3 client receives (dot-unstuffed) for a message delivered as `raw`. */
  expectedPop3Bytes(raw: Buffer): Buffer;
  log(): Promise<string>;
  stop(): Promise<void>;
}

async function readIfPresent(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return '';
  }
}

class PortCollision extends Error {}

async function startOnce(options: StartDovecotOptions): Promise<Dovecot> {
  const users = options.users ?? DEFAULT_USERS;
  validateUsers(users);
  const identities = chooseDovecotIdentities();
  // Unix socket paths are limited to ~108 bytes: keep the folder short.
  const parent = tmpdir().length <= 40 ? tmpdir() : '/tmp';
  const dir = await mkdtemp(join(parent, 'popgate-dovecot-'));
  // Login, auth and mail processes run unprivileged and must traverse this folder.
  await chmod(dir, 0o755);
  const paths = {
    baseDir: join(dir, 'run'),
    stateDir: join(dir, 'state'),
    logPath: join(dir, 'dovecot.log'),
    startupLog: join(dir, 'startup.log'),
    certPath: join(dir, 'cert.pem'),
    keyPath: join(dir, 'key.pem'),
    passwordsPath: join(dir, 'passwords'),
    tokensPath: join(dir, 'tokens'),
    oauth2Path: join(dir, 'oauth2.conf.ext'),
    mailRoot: join(dir, 'mail'),
    configPath: join(dir, 'dovecot.conf'),
    authSocketName: 'auth-smtp',
  };
  let child: ChildProcess | undefined;
  let release: () => void = () => {};
  try {
    await mkdir(paths.stateDir);
    await mkdir(paths.mailRoot, { mode: 0o755 });
    const certificate = await generateSelfSignedCert();
    await writeFile(paths.certPath, certificate.cert);
    await writeFile(paths.keyPath, certificate.key, { mode: 0o600 });
    await writeFile(paths.passwordsPath, renderPasswdFile(users, 'password'), { mode: 0o644 });
    await writeFile(paths.tokensPath, renderPasswdFile(users, 'accessToken'), { mode: 0o644 });
    if (options.oauth2) {
      // Read by the auth process (the internal user); it holds the introspection client's secret.
      await writeFile(paths.oauth2Path, renderOAuth2Settings(options.oauth2), { mode: 0o644 });
    }
    const store = new MaildirStore(
      paths.mailRoot,
      identities.mail,
      new Set(users.map((user) => user.username)),
    );
    for (const user of users) await store.create(user.username);

    const [plainPort, tlsPort] = (await reserveFreePorts(2)) as [number, number];
    const config = renderDovecotConfig({
      ...paths,
      instanceName: `popgate-${randomBytes(4).toString('hex')}`,
      plainPort,
      tlsPort,
      authMechanisms: options.authMechanisms ?? DEFAULT_AUTH_MECHANISMS,
      lockSession: options.lockSession ?? false,
      oauth2: options.oauth2,
      identities,
      extraConfig: options.extraConfig,
    });
    await writeFile(paths.configPath, config);

    const startupLog = openSync(paths.startupLog, 'a');
    const command = [...deathSignalPrefix(), DOVECOT_BINARY, '-F', '-c', paths.configPath];
    try {
      child = spawn(command[0] as string, command.slice(1), {
        stdio: ['ignore', startupLog, startupLog],
      });
    } finally {
      closeSync(startupLog);
    }
    const master = child;
    // A forgotten harness must not keep the test process alive; the exit hook ends it.
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
    try {
      await Promise.all([
        waitForGreeting({ host, port: plainPort }, { deadline, isDead: () => dead }),
        waitForGreeting(
          { host, port: tlsPort, caPem: certificate.cert },
          { deadline, isDead: () => dead },
        ),
      ]);
    } catch (error) {
      const logs = (await readIfPresent(paths.startupLog)) + (await readIfPresent(paths.logPath));
      if (/Address already in use/i.test(logs)) throw new PortCollision(logs, { cause: error });
      throw new Error(`Dovecot did not start: ${String(error)}\n${logs}`, { cause: error });
    }

    let finalLog: string | undefined;
    let stopping: Promise<void> | undefined;
    return {
      host,
      plainPort,
      tlsPort,
      caPem: certificate.cert,
      certSha256: certificate.sha256,
      users,
      pid,
      dir,
      configPath: paths.configPath,
      authSocketPath: join(paths.baseDir, paths.authSocketName),
      maildirPath: (username) => store.userDir(username),
      deliver: (username, raw) => store.deliver(username, raw),
      messageFiles: (username) => store.list(username),
      clear: (username) => store.clear(username),
      expectedPop3Bytes,
      log: async () => finalLog ?? (await readIfPresent(paths.logPath)),
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
    if (child && child.exitCode === null && child.signalCode === null) {
      await shutDown(child);
    }
    release();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Starts a private Dovecot POP3 server; resolves once both ports greet with +OK. */
export async function startDovecot(options: StartDovecotOptions = {}): Promise<Dovecot> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options);
    } catch (error) {
      // Another process may grab a reserved port before Dovecot binds it: take new ports.
      if (!(error instanceof PortCollision) || attempt >= 5) throw error;
    }
  }
}
