import { Pop3Error } from '@popgate/pop3';
import { describe, expect, it } from 'vitest';
import { classifyFailure } from '../src/sync/failure';

/** What an account's lastError says: a statement the app shows as it is, then what to do. */
describe('the message a failed check leaves on the account', () => {
  const rejected = (serverText?: string) =>
    classifyFailure(
      new Pop3Error('AUTH_FAILED', 'the server rejected the credentials', {
        ...(serverText === undefined ? {} : { serverText }),
      }),
    );

  it('states a rejected password and quotes the server once, with one full stop', () => {
    expect(rejected('Authentication failed.').message).toBe(
      'The server rejected the user name or password. The server said: “Authentication failed.”',
    );
    expect(rejected('[AUTH] bad login').message).toBe(
      'The server rejected the user name or password. The server said: “[AUTH] bad login”.',
    );
  });

  it('leaves what to do to the app, so it is not said twice', () => {
    const failure = rejected('Authentication failed.');
    expect(failure).toMatchObject({ status: 'auth_failed', retry: 'stop' });
    expect(failure.message).not.toMatch(/update the password/);
    expect(rejected().message).toBe('The server rejected the user name or password.');
  });

  it('stops checking an account whose port expects SSL/TLS until its settings change', () => {
    const failure = classifyFailure(
      new Pop3Error('TLS_EXPECTED', 'pop.example.com port 995 expects SSL/TLS from the start'),
    );
    expect(failure).toMatchObject({ status: 'perm_error', code: 'TLS_EXPECTED', retry: 'stop' });
  });
});
