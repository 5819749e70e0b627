import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { saslCramMd5 } from '../src/auth/sasl-cram-md5';
import { saslLogin } from '../src/auth/sasl-login';
import { saslOauthBearer } from '../src/auth/sasl-oauthbearer';
import { saslPlain } from '../src/auth/sasl-plain';
import { saslXoauth2 } from '../src/auth/sasl-xoauth2';

describe('SASL mechanisms', () => {
  it('PLAIN sends authzid, user and password separated by NUL', () => {
    expect(saslPlain('tim', 'tanstaaf').initialResponse()?.toString()).toBe('\0tim\0tanstaaf');
    expect(saslPlain('tim', 'pässword', 'admin').initialResponse()?.toString('utf8')).toBe(
      'admin\0tim\0pässword',
    );
  });

  it('LOGIN answers the user name prompt, then the password prompt', () => {
    const login = saslLogin('tim', 'secret');
    expect(login.initialResponse()).toBeNull();
    expect(login.respond(Buffer.from('Username:')).toString()).toBe('tim');
    expect(login.respond(Buffer.from('Password:')).toString()).toBe('secret');
    const terse = saslLogin('tim', 'secret');
    expect(terse.respond(Buffer.alloc(0)).toString()).toBe('tim');
    expect(terse.respond(Buffer.alloc(0)).toString()).toBe('secret');
  });

  it('CRAM-MD5 matches the RFC 2195 example', () => {
    const cram = saslCramMd5('tim', 'tanstaaftanstaaf');
    expect(cram.initialResponse()).toBeNull();
    const challenge = Buffer.from('<1896.697170952@postoffice.reston.mci.net>');
    expect(cram.respond(challenge).toString()).toBe('tim b913a602c7eda7a495b4e6e7334d3890');
  });

  it('APOP digest matches the RFC 1939 example', () => {
    // The command itself is tested against servers; this pins the digest rule it uses.
    const digest = createHash('md5')
      .update('<1896.697170952@dbc.mtview.ca.us>tanstaaf')
      .digest('hex');
    expect(digest).toBe('c4c9334bac560ecc979e58001b3e22fb');
  });

  it('XOAUTH2 uses the Google format and answers an error challenge with an empty line', () => {
    const mechanism = saslXoauth2('someuser@example.com', 'ya29.token');
    expect(mechanism.initialResponse()?.toString()).toBe(
      'user=someuser@example.com\x01auth=Bearer ya29.token\x01\x01',
    );
    const error = { status: '401', schemes: 'Bearer', scope: 'https://mail.google.com/' };
    const reply = mechanism.respond(Buffer.from(JSON.stringify(error)));
    expect(reply.length).toBe(0);
    expect(mechanism.serverError).toEqual(error);
  });

  it('OAUTHBEARER sends the RFC 7628 GS2 header and answers an error with ^A', () => {
    const mechanism = saslOauthBearer(
      'user,=x@example.com',
      'vF9dft4qmT',
      'server.example.com',
      995,
    );
    expect(mechanism.initialResponse()?.toString()).toBe(
      'n,a=user=2C=3Dx@example.com,\x01host=server.example.com\x01port=995\x01auth=Bearer vF9dft4qmT\x01\x01',
    );
    const reply = mechanism.respond(Buffer.from('{"status":"invalid_token"}'));
    expect([...reply]).toEqual([1]);
    expect(mechanism.serverError).toEqual({ status: 'invalid_token' });
  });
});
