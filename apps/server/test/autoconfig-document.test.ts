import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { generateSelfSignedCert } from '@popgate/pop3-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfigDocument } from '../src/autoconfig/config-document';
import { addressParts } from '../src/autoconfig/email-address';
import { fetchConfigDocument } from '../src/autoconfig/fetch-config-document';
import { lookupSettings } from '../src/autoconfig/lookup';

const GOOD = `<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="example.test">
    <domain>example.test</domain>
    <displayName>Example Mail</displayName>
    <incomingServer type="imap">
      <hostname>imap.example.test</hostname><port>993</port><socketType>SSL</socketType>
    </incomingServer>
    <incomingServer type="pop3">
      <hostname>pop.example.test</hostname><port>110</port><socketType>STARTTLS</socketType>
      <username>%EMAILLOCALPART%</username>
      <authentication>password-cleartext</authentication>
    </incomingServer>
    <incomingServer type="pop3">
      <hostname>POP.example.test</hostname><port>995</port><socketType>SSL</socketType>
      <username>%EMAILLOCALPART%</username>
      <authentication>password-cleartext</authentication>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>smtp.example.test</hostname><port>587</port><socketType>STARTTLS</socketType>
      <username>%EMAILADDRESS%</username>
    </outgoingServer>
  </emailProvider>
  <enable visiturl="https://example.test/settings/pop">
    <instruction lang="en">Allow POP3 &amp; IMAP once in your settings</instruction>
    <instruction lang="de">Erlauben Sie POP3 &amp; IMAP</instruction>
  </enable>
</clientConfig>`;

const ENTITY_BOMB = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<clientConfig version="1.1"><emailProvider id="x"><displayName>&lol3;</displayName>
<incomingServer type="pop3"><hostname>pop.example.test</hostname><port>995</port><socketType>SSL</socketType></incomingServer>
</emailProvider></clientConfig>`;

/** A config-document server on 127.0.0.1 with one path per behaviour. */
function handler(request: http.IncomingMessage, response: http.ServerResponse) {
  const path = new URL(request.url!, 'http://x').pathname;
  const xml = (body: string) => {
    response.writeHead(200, { 'content-type': 'application/xml' });
    response.end(body);
  };
  switch (path) {
    case '/good':
      return xml(GOOD);
    case '/huge-declared':
      response.writeHead(200, { 'content-length': String(1024 * 1024) });
      return response.end(Buffer.alloc(1024 * 1024, 'a'));
    case '/huge-streamed': {
      // No length announced: the reader has to count and cut.
      response.writeHead(200, { 'content-type': 'application/xml' });
      let sent = 0;
      const more = () => {
        while (sent < 10 * 1024 * 1024) {
          sent += 16 * 1024;
          if (!response.write(`<!-- ${'x'.repeat(16 * 1024 - 9)} -->`)) {
            response.once('drain', more);
            return;
          }
        }
        response.end();
      };
      return more();
    }
    case '/malformed':
      return xml('<clientConfig version="1.1"><emailProvider><incomingServer type="pop3">');
    case '/not-a-config':
      return xml('<html><body>Welcome</body></html>');
    case '/entity-bomb':
      return xml(ENTITY_BOMB);
    case '/to-metadata':
      response.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
      return response.end();
    case '/loop':
      response.writeHead(302, { location: '/loop' });
      return response.end();
    case '/hop':
      response.writeHead(301, { location: '/good' });
      return response.end();
    case '/stall':
      response.writeHead(200, { 'content-type': 'application/xml' });
      response.write('<clientConfig version="1.1">');
      return; // never ends
    default:
      response.writeHead(404);
      response.end();
  }
}

let server: http.Server;
let base: string;
let tlsServer: https.Server;
let tlsBase: string;
let ca: string;

beforeAll(async () => {
  server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const certificate = await generateSelfSignedCert();
  ca = certificate.cert;
  tlsServer = https.createServer({ key: certificate.key, cert: certificate.cert }, handler);
  await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', resolve));
  tlsBase = `https://127.0.0.1:${(tlsServer.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server?.closeAllConnections();
  tlsServer?.closeAllConnections();
  await Promise.all([
    new Promise((resolve) => server?.close(resolve)),
    new Promise((resolve) => tlsServer?.close(resolve)),
  ]);
});

/** The admin allows loopback only: private networks on, the admin's network list 127.0.0.0/8. */
const loopbackOnly = {
  policy: {
    allowedHosts: [],
    refusedHosts: [],
    allowedNetworks: ['127.0.0.0/8'],
    refusedNetworks: [],
  },
  allowPrivateNetworks: true,
};
const address = addressParts('jo@example.test');

describe("fetching a domain's autoconfig document", () => {
  it('reads a good document: the TLS POP3 server, SMTP, the user name and the instructions', async () => {
    const xml = await fetchConfigDocument(`${base}/good`, loopbackOnly);
    expect(readConfigDocument(xml, address)).toEqual({
      provider: 'Example Mail',
      popAvailable: true,
      pop3: { host: 'pop.example.test', port: 995, security: 'tls' },
      smtp: { host: 'smtp.example.test', port: 587, security: 'starttls' },
      oauth: null,
      signIn: 'password',
      username: 'jo',
      notes: ['Allow POP3 & IMAP once in your settings (https://example.test/settings/pop)'],
    });
  });

  it('reads a good document over https with a trusted certificate', async () => {
    const xml = await fetchConfigDocument(`${tlsBase}/good`, { ...loopbackOnly, ca });
    expect(readConfigDocument(xml, address).pop3?.host).toBe('pop.example.test');
  });

  it('refuses an https server whose certificate is not trusted', async () => {
    await expect(fetchConfigDocument(`${tlsBase}/good`, loopbackOnly)).rejects.toMatchObject({
      code: 'AUTOCONFIG_UNREACHABLE',
    });
  });

  it('follows a redirect, checked again', async () => {
    const xml = await fetchConfigDocument(`${base}/hop`, loopbackOnly);
    expect(xml).toContain('pop.example.test');
  });

  it.each(['huge-declared', 'huge-streamed'])(
    'cuts off a document larger than the cap and refuses it (%s)',
    async (path) => {
      const started = Date.now();
      await expect(
        fetchConfigDocument(`${base}/${path}`, { ...loopbackOnly, maxBytes: 64 * 1024 }),
      ).rejects.toMatchObject({
        code: 'AUTOCONFIG_TOO_LARGE',
        message: expect.stringContaining('larger than 64 KiB'),
      });
      expect(Date.now() - started).toBeLessThan(2_000);
    },
  );

  it('refuses a redirect to a private address (the metadata service)', async () => {
    await expect(fetchConfigDocument(`${base}/to-metadata`, loopbackOnly)).rejects.toMatchObject({
      code: 'HOST_NOT_ALLOWED',
    });
  });

  it('refuses loopback itself when neither the operator nor the admin opened private networks', async () => {
    await expect(
      fetchConfigDocument(`${base}/good`, {
        policy: { ...loopbackOnly.policy, allowedNetworks: [] },
        allowPrivateNetworks: false,
      }),
    ).rejects.toMatchObject({ code: 'BLOCKED_HOST' });
  });

  it("reaches loopback when the admin's Allowed networks lists it, without the operator's switch", async () => {
    await expect(
      fetchConfigDocument(`${base}/good`, { ...loopbackOnly, allowPrivateNetworks: false }),
    ).resolves.toBeTruthy();
  });

  it('stops after three redirects', async () => {
    await expect(fetchConfigDocument(`${base}/loop`, loopbackOnly)).rejects.toMatchObject({
      code: 'AUTOCONFIG_REDIRECTS',
    });
  });

  it('gives up on a server that stalls, at the deadline', async () => {
    const started = Date.now();
    await expect(
      fetchConfigDocument(`${base}/stall`, { ...loopbackOnly, timeoutMs: 500 }),
    ).rejects.toMatchObject({ code: 'AUTOCONFIG_TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('says there is no document on a 404', async () => {
    await expect(fetchConfigDocument(`${base}/nothing`, loopbackOnly)).rejects.toMatchObject({
      code: 'AUTOCONFIG_NOT_FOUND',
    });
  });
});

describe('reading a document', () => {
  it.each([
    ['malformed XML', '/malformed', /not well-formed/],
    ['an entity bomb', '/entity-bomb', /DOCTYPE or entities/],
    ['a page that is not a config document', '/not-a-config', /no clientConfig/],
  ])('refuses %s clearly', async (_what, path, message) => {
    const xml = await fetchConfigDocument(`${base}${path}`, loopbackOnly);
    expect(() => readConfigDocument(xml, address)).toThrow(
      expect.objectContaining({
        code: 'AUTOCONFIG_MALFORMED',
        message: expect.stringMatching(message),
      }),
    );
  });

  it('skips servers with an unusable host name or port', () => {
    const xml = GOOD.replace('POP.example.test', 'pop example;test').replace(
      '<port>110</port>',
      '<port>99999</port>',
    );
    const settings = readConfigDocument(xml, address);
    expect(settings.pop3).toBeNull();
    expect(settings.popAvailable).toBe(false);
  });
});

describe('a lookup through the autoconfig document', () => {
  const noMx = () => Promise.reject(Object.assign(new Error('ENODATA'), { code: 'ENODATA' }));

  it('answers from the document when the domain is no preset', async () => {
    const answer = await lookupSettings('jo@example.test', {
      ...loopbackOnly,
      resolveMx: noMx,
      documentUrls: () => [`${base}/nothing`, `${base}/good`],
    });
    expect(answer).toMatchObject({
      source: 'autoconfig',
      provider: 'Example Mail',
      pop3: { host: 'pop.example.test', port: 995, security: 'tls' },
      username: 'jo',
      probed: null,
    });
  });

  it('passes over a refused document, says why, and falls back to a guess', async () => {
    const answer = await lookupSettings('jo@example.test', {
      ...loopbackOnly,
      resolveMx: noMx,
      documentUrls: () => [`${base}/huge-streamed`, `${base}/to-metadata`, `${base}/entity-bomb`],
    });
    expect(answer).toMatchObject({
      source: 'guess',
      pop3: { host: 'pop.example.test', port: 995, security: 'tls' },
      smtp: { host: 'smtp.example.test', port: 587, security: 'starttls' },
      probed: null,
    });
    const notes = answer.notes.join('\n');
    expect(notes).toMatch(/larger than 64 KiB/);
    expect(notes).toMatch(/does not allow/);
    expect(notes).toMatch(/DOCTYPE or entities/);
  });
});
