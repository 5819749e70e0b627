import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The NODE_OPTIONS that make a Popgate process resolve *.popgate.test to 127.0.0.1. */
export const TEST_DOMAINS_PRELOAD = `--import ${path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  'test-domains.mjs',
)}`;

export interface AutoconfigSite {
  /** The site's self-signed certificate, for NODE_EXTRA_CA_CERTS. */
  certPem: string;
  stop(): Promise<void>;
}

/** A self-signed certificate for these host names, from the openssl CLI. */
async function certificateFor(names: string[]): Promise<{ key: string; cert: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'popgate-autoconfig-cert-'));
  try {
    const keyPath = path.join(dir, 'key.pem');
    const certPath = path.join(dir, 'cert.pem');
    await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=${names[0]}`,
      '-addext',
      `subjectAltName=${names.map((name) => `DNS:${name}`).join(',')}`,
      '-keyout',
      keyPath,
      '-out',
      certPath,
    ]);
    const [key, cert] = await Promise.all([readFile(keyPath, 'utf8'), readFile(certPath, 'utf8')]);
    return { key, cert };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * A mail domain's own web site on https://127.0.0.1:443 (where Thunderbird's lookup, and
 * Popgate's, look for `autoconfig.<domain>` and `<domain>/.well-known/autoconfig/`), serving
 * `document` at both places. Port 443 is shared by the machine: a busy port is tried again.
 */
export async function startAutoconfigSite(
  domain: string,
  document: string,
): Promise<AutoconfigSite> {
  const { key, cert } = await certificateFor([domain, `autoconfig.${domain}`]);
  const server: Server = createServer({ key, cert }, (request, response) => {
    const url = new URL(request.url ?? '/', 'https://x');
    if (
      url.pathname === '/mail/config-v1.1.xml' ||
      url.pathname === '/.well-known/autoconfig/mail/config-v1.1.xml'
    ) {
      response.writeHead(200, { 'content-type': 'application/xml' });
      response.end(document);
      return;
    }
    response.writeHead(404);
    response.end();
  });
  for (let attempt = 1; ; attempt++) {
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(443, '127.0.0.1', () => {
          server.off('error', reject);
          resolve();
        });
      });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt === 30) throw error;
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
  return {
    certPem: cert,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A Thunderbird config-v1.1 document naming one POP3 server that signs in with OAuth2. */
export const pop3OAuthDocument = (domain: string, pop3: { host: string; port: number }) =>
  `<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="${domain}">
    <domain>${domain}</domain>
    <displayName>Test mail at ${domain}</displayName>
    <incomingServer type="pop3">
      <hostname>${pop3.host}</hostname>
      <port>${pop3.port}</port>
      <socketType>SSL</socketType>
      <username>%EMAILLOCALPART%</username>
      <authentication>OAuth2</authentication>
    </incomingServer>
  </emailProvider>
</clientConfig>
`;
