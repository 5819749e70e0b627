import type { AutoconfigReply, OAuthProviderName, Security } from '@popgate/contracts';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { unprocessable } from '../domain-errors';
import type { AddressParts } from './email-address';

/** What a domain's config-v1.1.xml says, read into an answer (its source is "autoconfig"). */
export type DocumentSettings = Omit<AutoconfigReply, 'source' | 'probed'>;

const malformed = (why: string) =>
  unprocessable('AUTOCONFIG_MALFORMED', `The domain's autoconfig document is not usable: ${why}`);

const LISTS = new Set([
  'emailProvider',
  'incomingServer',
  'outgoingServer',
  'authentication',
  'enable',
  'instruction',
  'descr',
]);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  // No entity is expanded (no DOCTYPE is read at all, below): nothing can grow while parsing.
  processEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (name) => LISTS.has(name),
});

type Node = Record<string, unknown>;
const nodes = (value: unknown): Node[] =>
  (Array.isArray(value) ? value : value === undefined ? [] : [value]).filter(
    (item): item is Node => typeof item === 'object' && item !== null,
  );
/** An element's text, whether it carried attributes or not. */
const text = (value: unknown): string | undefined => {
  if (Array.isArray(value)) return text(value[0]);
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) return text((value as Node)['#text']);
  return undefined;
};
const texts = (value: unknown): string[] =>
  (Array.isArray(value) ? value : [value]).map(text).filter((t): t is string => t !== undefined);

/** The five predefined XML entities and character references: nothing that can expand. */
const decode = (value: string) =>
  value
    .replace(/&#x([0-9a-f]{1,6});/gi, (_m, hex: string) => safeChar(parseInt(hex, 16)))
    .replace(/&#(\d{1,7});/g, (_m, dec: string) => safeChar(Number(dec)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
const safeChar = (code: number) =>
  code >= 0x20 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff)
    ? String.fromCodePoint(code)
    : '';

const HOST =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;
const SOCKET_TYPES: Record<string, Security> = { SSL: 'tls', STARTTLS: 'starttls', plain: 'none' };
const PASSWORD_METHODS = new Set(['password-cleartext', 'plain', 'password-encrypted', 'secure']);

interface Server {
  host: string;
  port: number;
  security: Security;
  username?: string;
  methods: string[];
}

function readServer(node: Node): Server | undefined {
  const host = decode(text(node.hostname) ?? '')
    .trim()
    .toLowerCase();
  const port = Number(text(node.port));
  const security = SOCKET_TYPES[text(node.socketType)?.trim() ?? ''];
  if (!HOST.test(host) || !Number.isInteger(port) || port < 1 || port > 65_535 || !security) {
    return undefined;
  }
  const username = text(node.username);
  return {
    host,
    port,
    security,
    ...(username !== undefined && { username: decode(username).trim() }),
    methods: texts(node.authentication).map((m) => m.trim()),
  };
}

/** TLS first, then STARTTLS, then none (a document may list the same server several ways). */
const rank: Record<Security, number> = { tls: 0, starttls: 1, none: 2 };
const best = (servers: Server[]) =>
  [...servers].sort((a, b) => rank[a.security] - rank[b.security])[0];

const OAUTH_ISSUERS: Record<string, OAuthProviderName> = {
  'accounts.google.com': 'google',
  'login.microsoftonline.com': 'microsoft',
};

const fillUsername = (template: string | undefined, address: AddressParts) =>
  (template ?? '%EMAILADDRESS%')
    .replace(/%EMAILADDRESS%/g, address.address)
    .replace(/%EMAILLOCALPART%/g, address.localPart)
    .replace(/%EMAILDOMAIN%/g, address.domain)
    .slice(0, 320);

/** Plain words from someone else's document: one line, no control characters, not too long. */
const note = (value: string) =>
  decode(value)
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 500);

/**
 * Reads a Thunderbird-style config document (clientConfig version 1.1) for `address`: its first
 * usable POP3 server and SMTP server, how to sign in, and what the provider asks users to do first.
 * A document that is not well-formed XML, declares a DOCTYPE (entities: never expanded) or is not
 * a clientConfig is refused (AUTOCONFIG_MALFORMED).
 */
export function readConfigDocument(xml: string, address: AddressParts): DocumentSettings {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) {
    throw malformed('it declares a DOCTYPE or entities, which are not read');
  }
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    throw malformed(`not well-formed XML (${valid.err.msg}, line ${valid.err.line})`);
  }
  const config = nodes((parser.parse(xml) as Node).clientConfig)[0];
  const provider = nodes(config?.emailProvider)[0];
  if (!config || !provider) throw malformed('it has no clientConfig/emailProvider');

  const pop3 = best(
    nodes(provider.incomingServer)
      .filter((node) => node['@_type'] === 'pop3')
      .map(readServer)
      .filter((server): server is Server => server !== undefined),
  );
  const smtp = best(
    nodes(provider.outgoingServer)
      .filter((node) => node['@_type'] === 'smtp')
      .map(readServer)
      .filter((server): server is Server => server !== undefined),
  );
  const issuer = text(nodes(config.oAuth2)[0]?.issuer);
  const oauthProvider = issuer ? (OAUTH_ISSUERS[issuer.trim().toLowerCase()] ?? null) : null;
  const methods = pop3?.methods ?? [];
  const takesPassword = methods.length === 0 || methods.some((m) => PASSWORD_METHODS.has(m));
  const oauth = methods.includes('OAuth2') ? oauthProvider : null;

  const notes: string[] = [];
  for (const enable of nodes(config.enable)) {
    const instructions = (Array.isArray(enable.instruction) ? enable.instruction : []).map(
      (item: unknown): Node => (typeof item === 'string' ? { '#text': item } : (item as Node)),
    );
    const english =
      instructions.find((i) => i['@_lang'] === 'en') ??
      instructions.find((i) => i['@_lang'] === undefined);
    const words = english ? note(text(english) ?? '') : '';
    const url = typeof enable['@_visiturl'] === 'string' ? note(enable['@_visiturl']) : '';
    if (words || url) notes.push([words, url && `(${url})`].filter(Boolean).join(' '));
  }
  if (!pop3) notes.unshift("The domain's autoconfig document offers no POP3 server.");

  const name = text(provider.displayName);
  return {
    provider: name ? note(name).slice(0, 200) || null : null,
    popAvailable: pop3 !== undefined,
    pop3: pop3 ? { host: pop3.host, port: pop3.port, security: pop3.security } : null,
    smtp: smtp ? { host: smtp.host, port: smtp.port, security: smtp.security } : null,
    oauth,
    signIn: takesPassword ? 'password' : oauth ? 'oauth' : 'password',
    username: fillUsername(pop3?.username, address),
    notes,
  };
}
