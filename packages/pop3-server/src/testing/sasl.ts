import { createHmac } from 'node:crypto';
import { apopDigest as digestFor } from '../auth';

export const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
export const unb64 = (text: string) => Buffer.from(text, 'base64').toString('utf8');

/** The APOP digest for a greeting that carries a timestamp. */
export function apopDigest(greeting: string, password: string): string {
  const timestamp = /<[^>]*>/.exec(greeting)?.[0];
  if (!timestamp) throw new Error(`no APOP timestamp in ${greeting}`);
  return digestFor(timestamp, password);
}

export function cramMd5Response(username: string, password: string, challengeB64: string): string {
  const digest = createHmac('md5', password).update(unb64(challengeB64)).digest('hex');
  return b64(`${username} ${digest}`);
}

export const xoauth2 = (username: string, token: string) =>
  b64(`user=${username}\x01auth=Bearer ${token}\x01\x01`);

export const oauthBearer = (username: string, token: string) =>
  b64(`n,a=${username},\x01auth=Bearer ${token}\x01\x01`);
