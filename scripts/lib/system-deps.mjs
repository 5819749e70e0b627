// The tests speak to real software: Dovecot's POP3 server, Postfix, mpop, swaks and msmtp
// (the benchmarks' peers) and Chromium. Installs them from Debian's packages when missing
// and allowed (root with apt-get).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

const NEEDED = [
  { binary: '/usr/sbin/dovecot', pkg: 'dovecot-pop3d' },
  { binary: '/usr/bin/mpop', pkg: 'mpop' },
  { binary: '/usr/sbin/postfix', pkg: 'postfix' },
  { binary: '/usr/bin/swaks', pkg: 'swaks' },
  // swaks speaks TLS only with Net::SSLeay, which this package brings (a mere recommendation).
  { binary: '/usr/share/perl5/IO/Socket/SSL.pm', pkg: 'libio-socket-ssl-perl' },
  { binary: '/usr/bin/msmtp', pkg: 'msmtp' },
  { binary: '/usr/bin/chromium', pkg: 'chromium' },
  { binary: '/usr/bin/openssl', pkg: 'openssl' },
];

export function ensureSystemPackages() {
  const missing = NEEDED.filter((n) => !fs.existsSync(n.binary)).map((n) => n.pkg);
  if (missing.length === 0) return;
  const canInstall = process.getuid?.() === 0 && fs.existsSync('/usr/bin/apt-get');
  if (!canInstall) {
    throw new Error(
      `the tests need these Debian packages: ${missing.join(' ')}. Install them with: sudo apt-get install -y ${missing.join(' ')}`,
    );
  }
  console.log(`Installing ${missing.join(', ')} from Debian's packages…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // Postfix's package asks for a mailer type; "No configuration" starts no system MTA.
  spawnSync('debconf-set-selections', {
    input: 'postfix postfix/main_mailer_type select No configuration\n',
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  const apt = (args) => spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env });
  let result = apt(['install', '-y', '--no-install-recommends', ...missing]);
  if (result.status !== 0) {
    apt(['update']);
    result = apt(['install', '-y', '--no-install-recommends', ...missing]);
  }
  if (result.status !== 0) throw new Error(`apt-get install ${missing.join(' ')} failed`);
  // The packages start a system-wide Dovecot on ports 110/995 (and Postfix on 25 if it was
  // configured); the tests run their own.
  for (const service of ['dovecot', 'postfix']) {
    spawnSync('sh', ['-c', `command -v service >/dev/null && service ${service} stop`], {
      stdio: 'ignore',
    });
  }
}
