import { AutoconfigReply, SuggestedServer } from '@popgate/contracts';
import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { lookupSettings } from '../src/autoconfig/lookup';
import { presetForDomain, presetForMxHost } from '../src/autoconfig/preset-match';
import { PROVIDER_PRESETS } from '../src/autoconfig/provider-presets';

const HOST = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/;
const NO_POLICY = { allowedHosts: [], refusedHosts: [], allowedNetworks: [], refusedNetworks: [] };
/** A lookup that must not leave the preset table: any document fetch or MX query fails the test. */
const offline = {
  policy: NO_POLICY,
  allowPrivateNetworks: false,
  documentUrls: () => {
    throw new Error('a preset lookup fetched a document');
  },
  resolveMx: () => Promise.reject(new Error('a preset lookup asked DNS')),
};

describe('the provider preset table', () => {
  it.each(PROVIDER_PRESETS.map((preset) => [preset.id, preset] as const))(
    '%s names valid hosts, ports and security for POP3 and SMTP',
    (_id, preset) => {
      for (const server of [preset.pop3, preset.smtp].filter((s) => s !== null)) {
        expect(Value.Check(SuggestedServer, server)).toBe(true);
        expect(server.host).toMatch(HOST);
        expect([110, 995, 465, 587]).toContain(server.port);
        expect(server.security).not.toBe('none');
      }
      if (preset.pop3) expect(preset.smtp).not.toBeNull();
      expect(preset.name.length).toBeGreaterThan(0);
      expect(preset.domains.length + preset.mxSuffixes.length).toBeGreaterThan(0);
      for (const domain of [...preset.domains, ...preset.mxSuffixes]) expect(domain).toMatch(HOST);
      // A sign-in by OAuth names its provider; one that is not does not.
      expect(preset.signIn === 'oauth').toBe(preset.oauth !== null);
      for (const note of preset.notes) {
        expect(note.length).toBeGreaterThan(20);
        expect(note.length).toBeLessThanOrEqual(1000);
      }
    },
  );

  it('gives every address domain to exactly one provider', () => {
    const domains = PROVIDER_PRESETS.flatMap((preset) => preset.domains);
    expect(new Set(domains).size).toBe(domains.length);
  });

  it('covers the providers the issue names', () => {
    for (const domain of [
      'gmail.com',
      'googlemail.com',
      'outlook.com',
      'hotmail.co.uk',
      'live.de',
      'msn.com',
      'yahoo.com',
      'aol.com',
      'icloud.com',
      'gmx.net',
      'gmx.de',
      'gmx.com',
      'web.de',
      'zoho.com',
      'fastmail.com',
      'yandex.ru',
      'mail.ru',
      't-online.de',
      'comcast.net',
      'orange.fr',
      'libero.it',
    ]) {
      expect(presetForDomain(domain), domain).toBeDefined();
    }
  });

  it('writes down the caveats of the providers that have them', () => {
    for (const id of ['gmail', 'google-workspace', 'outlook', 'microsoft-365', 'yahoo', 'aol'])
      expect(PROVIDER_PRESETS.find((p) => p.id === id)!.notes.length).toBeGreaterThan(0);
    for (const preset of PROVIDER_PRESETS.filter((p) => p.signIn === 'app-password' && p.pop3))
      expect(preset.notes.join(' '), preset.id).toMatch(/password/i);
    const gmail = presetForDomain('gmail.com')!.notes.join(' ');
    expect(gmail).toMatch(/recent:/);
    expect(gmail).toMatch(/from now on/);
    expect(gmail).toMatch(/Forwarding and POP\/IMAP/);
    expect(gmail).toMatch(/App passwords/);
    expect(presetForDomain('outlook.com')!.notes.join(' ')).toMatch(/Let devices and apps use POP/);
  });
});

describe('a lookup of a known provider', () => {
  it('answers Gmail from the preset, with Google sign-in and the full address as user name', async () => {
    const answer = await lookupSettings('Ann.Example@GMail.com', offline);
    expect(Value.Check(AutoconfigReply, answer)).toBe(true);
    expect(answer).toMatchObject({
      source: 'preset',
      provider: 'Gmail',
      popAvailable: true,
      pop3: { host: 'pop.gmail.com', port: 995, security: 'tls' },
      smtp: { host: 'smtp.gmail.com', port: 465, security: 'tls' },
      oauth: 'google',
      signIn: 'oauth',
      username: 'Ann.Example@GMail.com',
      probed: null,
    });
  });

  it.each(['someone@outlook.com', 'someone@hotmail.co.uk', 'someone@live.fr', 'someone@msn.com'])(
    'answers %s from the Outlook.com preset, with Microsoft sign-in',
    async (email) => {
      const answer = await lookupSettings(email, offline);
      expect(answer).toMatchObject({
        source: 'preset',
        pop3: { host: 'outlook.office365.com', port: 995, security: 'tls' },
        smtp: { host: 'smtp-mail.outlook.com', port: 587, security: 'starttls' },
        oauth: 'microsoft',
        signIn: 'oauth',
      });
    },
  );

  it('explains that iCloud has no POP3 and suggests no server', async () => {
    const answer = await lookupSettings('someone@icloud.com', offline);
    expect(answer).toMatchObject({ source: 'preset', popAvailable: false, pop3: null, smtp: null });
    expect(answer.notes.join(' ')).toMatch(/no POP3/);
  });

  it('types only the part before the @ for WEB.DE, as its ISPDB entry says', async () => {
    expect((await lookupSettings('anna.muster@web.de', offline)).username).toBe('anna.muster');
  });

  it('refuses an address without a usable domain', async () => {
    for (const email of ['nobody@', '@example.com', 'a@localhost', 'a@1.2.3.4', 'a@exa_mple.com']) {
      await expect(lookupSettings(email, offline), email).rejects.toMatchObject({
        code: 'INVALID_EMAIL',
        kind: 'invalid',
      });
    }
  });
});

describe('MX hosts classified by provider', () => {
  it.each([
    ['aspmx.l.google.com', 'google-workspace'],
    ['alt1.aspmx.l.google.com.', 'google-workspace'],
    ['smtp.google.com', 'google-workspace'],
    ['aspmx2.googlemail.com', 'google-workspace'],
    ['contoso-com.mail.protection.outlook.com', 'microsoft-365'],
    ['eur.olc.protection.outlook.com', 'outlook'],
    ['mta5.am0.yahoodns.net', 'yahoo'],
    ['mx-aol.mail.gm0.yahoodns.net', 'aol'],
    ['mx00.gmx.net', 'gmx-de'],
    ['mx.zoho.eu', 'zoho-eu'],
    ['in1-smtp.messagingengine.com', 'fastmail'],
    ['mx01.mail.icloud.com', 'icloud'],
  ])('%s is %s', (mx, id) => {
    expect(presetForMxHost(mx)?.id).toBe(id);
  });

  it.each(['mx.example.org', 'google.com.evil.example', 'notgmx.net', 'outlook.com.example'])(
    '%s is nobody known',
    (mx) => {
      expect(presetForMxHost(mx)).toBeUndefined();
    },
  );
});
