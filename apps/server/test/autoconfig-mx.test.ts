import { Resolver } from 'node:dns/promises';
import net from 'node:net';
import { Pop3Server } from '@popgate/pop3-server';
import dns2 from 'dns2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lookupSettings } from '../src/autoconfig/lookup';
import { guessFromMx, type MxResolver } from '../src/autoconfig/mx-guess';
import { pop3Answers } from '../src/autoconfig/plain-guess';

const { Packet } = dns2;

/** The MX records a tiny real DNS server answers, by domain; any other name is NXDOMAIN. */
const ZONE: Record<string, Array<{ exchange: string; priority: number }>> = {
  'workspace.example': [
    { exchange: 'alt1.aspmx.l.google.com', priority: 5 },
    { exchange: 'aspmx.l.google.com', priority: 1 },
  ],
  'contoso.example': [{ exchange: 'contoso-example.mail.protection.outlook.com', priority: 0 }],
  'family.example': [{ exchange: 'mx00.gmx.net', priority: 10 }],
  'self-hosted.example': [{ exchange: 'mx.self-hosted.example', priority: 10 }],
  // The preferred MX is a spam filter nobody knows; the backup gives the provider away.
  'filtered.example': [
    { exchange: 'mx.filter.example', priority: 1 },
    { exchange: 'mx01.mail.icloud.com', priority: 20 },
  ],
};

let dnsServer: ReturnType<typeof dns2.createServer>;
let resolveMx: MxResolver;

beforeAll(async () => {
  dnsServer = dns2.createServer({
    udp: true,
    handle: (request, send) => {
      const [question] = request.questions;
      const records = question ? ZONE[question.name.toLowerCase()] : undefined;
      if (!question || !records) {
        void send(Packet.createErrorResponseFromRequest(request, Packet.RCODE.NXDOMAIN));
        return;
      }
      const response = Packet.createResponseFromRequest(request);
      for (const record of records) {
        response.answers.push({
          name: question.name,
          type: Packet.TYPE.MX,
          class: Packet.CLASS.IN,
          ttl: 60,
          exchange: record.exchange,
          priority: record.priority,
        } as never);
      }
      void send(response);
    },
  });
  const addresses = await dnsServer.listen({ udp: { port: 0, address: '127.0.0.1' } });
  const resolver = new Resolver({ timeout: 1_000, tries: 1 });
  resolver.setServers([`127.0.0.1:${addresses.udp!.port}`]);
  resolveMx = (domain) => resolver.resolveMx(domain);
});
afterAll(async () => {
  await dnsServer?.close();
});

const NO_POLICY = { allowedHosts: [], refusedHosts: [], allowedNetworks: [], refusedNetworks: [] };
/** No document anywhere: the lookup goes on to the MX records. */
const options = () => ({
  policy: NO_POLICY,
  allowPrivateNetworks: false,
  resolveMx,
  documentUrls: () => [],
});

describe('a guess from MX records, answered by a real DNS server', () => {
  it('recognises Google Workspace from the preferred MX and answers the Gmail settings', async () => {
    const answer = await lookupSettings('ceo@workspace.example', options());
    expect(answer).toMatchObject({
      source: 'mx',
      provider: 'Google Workspace',
      pop3: { host: 'pop.gmail.com', port: 995, security: 'tls' },
      oauth: 'google',
      signIn: 'oauth',
      username: 'ceo@workspace.example',
    });
    expect(answer.notes[0]).toMatch(/MX aspmx\.l\.google\.com/);
  });

  it('recognises Microsoft 365 from *.mail.protection.outlook.com', async () => {
    const answer = await lookupSettings('ann@contoso.example', options());
    expect(answer).toMatchObject({
      source: 'mx',
      provider: 'Microsoft 365',
      pop3: { host: 'outlook.office365.com', port: 995, security: 'tls' },
      smtp: { host: 'smtp.office365.com', port: 587, security: 'starttls' },
      oauth: 'microsoft',
    });
    expect(answer.notes.join(' ')).toMatch(/Exchange admin center/);
  });

  it("answers the MX host's provider preset for any other provider (GMX)", async () => {
    const answer = await lookupSettings('kid@family.example', options());
    expect(answer).toMatchObject({ source: 'mx', pop3: { host: 'pop.gmx.net' } });
  });

  it('looks past an unknown preferred MX to a known backup', async () => {
    expect((await guessFromMx('filtered.example', resolveMx))?.preset.id).toBe('icloud');
  });

  it('guesses pop.<domain> and smtp.<domain> when the MX names nobody known', async () => {
    const answer = await lookupSettings('me@self-hosted.example', options());
    expect(answer).toMatchObject({
      source: 'guess',
      provider: null,
      pop3: { host: 'pop.self-hosted.example', port: 995, security: 'tls' },
      smtp: { host: 'smtp.self-hosted.example', port: 587, security: 'starttls' },
      oauth: null,
      probed: null,
    });
  });

  it('guesses as well for a domain that does not exist', async () => {
    expect(await guessFromMx('nowhere.example', resolveMx)).toBeUndefined();
    expect((await lookupSettings('me@nowhere.example', options())).source).toBe('guess');
  });

  it('does not wait for a resolver that never answers', async () => {
    const started = Date.now();
    expect(await guessFromMx('slow.example', () => new Promise(() => {}), 200)).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});

describe('probing a guessed POP3 server', () => {
  let pop3: Pop3Server;
  beforeAll(async () => {
    pop3 = await Pop3Server.start();
  });
  afterAll(async () => {
    await pop3?.close();
  });
  const loopback = {
    policy: { ...NO_POLICY, allowedNetworks: ['127.0.0.0/8'] },
    allowPrivateNetworks: true,
  };

  it('says yes when a POP3 server greets at the address', async () => {
    expect(
      await pop3Answers({ host: '127.0.0.1', port: pop3.port, security: 'none' }, loopback),
    ).toBe(true);
  });

  it('says no when nothing listens, or when TLS is asked of a plain server, in time', async () => {
    const closed = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const started = Date.now();
    expect(await pop3Answers({ host: '127.0.0.1', port: closed, security: 'none' }, loopback)).toBe(
      false,
    );
    expect(
      await pop3Answers(
        { host: '127.0.0.1', port: pop3.port, security: 'tls' },
        { ...loopback, timeoutMs: 1_000 },
      ),
    ).toBe(false);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('says no for an address the host check refuses, without connecting', async () => {
    const sessions = pop3.stats.sessions;
    expect(
      await pop3Answers(
        { host: '127.0.0.1', port: pop3.port, security: 'none' },
        // Neither the operator's switch nor the admin's Allowed networks opens loopback.
        { policy: NO_POLICY, allowPrivateNetworks: false },
      ),
    ).toBe(false);
    expect(pop3.stats.sessions).toBe(sessions);
  });

  it('marks a guess as probed and names the hosts it tried when none answers', async () => {
    const answer = await lookupSettings('me@self-hosted.example', {
      ...options(),
      probe: true,
      probeTimeoutMs: 1_000,
    });
    expect(answer).toMatchObject({ source: 'guess', probed: false });
    expect(answer.notes.join(' ')).toMatch(/pop\.self-hosted\.example, pop3\.self-hosted\.example/);
  });
});
