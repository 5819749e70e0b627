import { connect } from 'node:net';
import { startDovecot, type Dovecot } from '@popgate/dovecot-harness';
import { Pop3Client } from '@popgate/pop3';
import { createTransport } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postfixAvailable, startPostfix, type Postfix } from '../src/index';
import { smtpFailure, testMessage, transportFor, USER } from './support';

/** The EHLO reply of the plain listener, one keyword per entry. */
function ehloKeywords(port: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let received = '';
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      if (received.startsWith('220') && !received.includes('EHLO-SENT')) {
        received += 'EHLO-SENT';
        socket.write('EHLO client.test\r\n');
      }
      const lines = received.split('\r\n');
      if (lines.some((line) => line.startsWith('250 '))) {
        socket.end('QUIT\r\n');
        resolve(lines.filter((line) => line.startsWith('250')).map((line) => line.slice(4)));
      }
    });
    socket.on('error', reject);
  });
}

describe.skipIf(!postfixAvailable())('a private Postfix in front of a private Dovecot', () => {
  let dovecot: Dovecot;
  let postfix: Postfix;

  beforeAll(async () => {
    dovecot = await startDovecot({ users: [USER, { username: 'other', password: 'pw2' }] });
    postfix = await startPostfix({ dovecot, plainListener: true });
  });
  afterAll(async () => {
    await postfix?.stop();
    await dovecot?.stop();
  });

  it('delivers a message submitted with STARTTLS and SASL into the Maildir Dovecot serves over POP3', async () => {
    const { raw, messageId } = testMessage('over STARTTLS');
    const info = await transportFor(postfix, 'starttls').sendMail({
      envelope: { from: 'sender@client.test', to: ['user@example.test'] },
      raw,
    });
    expect(info.accepted).toEqual(['user@example.test']);
    const delivered = await postfix.waitForDelivery('user');

    const pop3 = await Pop3Client.connect({
      host: 'localhost',
      address: dovecot.host,
      port: dovecot.tlsPort,
      security: 'tls',
      tls: { caPem: dovecot.caPem },
      auth: { username: USER.username, password: USER.password },
    });
    const uids = await pop3.uidl();
    const number = uids.find((entry) => entry.uid === delivered.uidl)?.number;
    expect(number).toBeDefined();
    const fetched = (await pop3.retr(number as number)).toString('utf8');
    await pop3.quit();

    // Postfix stores LF line endings and prepends its trace headers; Dovecot sends CRLF.
    const [trace, original] = [fetched.slice(0, fetched.indexOf('From: ')), fetched];
    expect(trace).toMatch(/^Return-Path: <sender@client\.test>\r\n/);
    expect(trace).toContain('X-Original-To: user@example.test\r\n');
    expect(trace).toContain('Delivered-To: user@example.test\r\n');
    expect(trace).toMatch(
      /Received: from client\.test \(localhost \[127\.0\.0\.1\]\)\r\n\tby localhost \(Postfix\) with ESMTPSA id /,
    );
    expect(original.endsWith(raw.toString('utf8'))).toBe(true);
    expect(delivered.bytes.toString('utf8')).toContain(`Message-ID: ${messageId}\n`);
    expect(delivered.bytes.includes('\r\n')).toBe(false);
  });

  it('refuses a wrong password with 535', async () => {
    const failure = await smtpFailure(
      transportFor(postfix, 'starttls', { user: USER.username, pass: 'wrong' }).sendMail({
        envelope: { from: 'sender@client.test', to: ['user@example.test'] },
        raw: testMessage('wrong password').raw,
      }),
    );
    expect(failure.code).toBe('EAUTH');
    expect(failure.responseCode).toBe(535);
    expect(failure.response).toMatch(/^535 5\.7\.8 /);
  });

  it('accepts implicit TLS with the certificate it exposes', async () => {
    const transport = transportFor(postfix, 'tls');
    await expect(transport.verify()).resolves.toBe(true);
    const { raw, messageId } = testMessage('over implicit TLS');
    await transport.sendMail({
      envelope: { from: 'sender@client.test', to: ['other@example.test'] },
      raw,
    });
    const delivered = await postfix.waitForDelivery('other');
    expect(delivered.bytes.toString('utf8')).toContain(messageId);
  });

  it('refuses relaying without authentication', async () => {
    const failure = await smtpFailure(
      transportFor(postfix, 'plain', null).sendMail({
        envelope: { from: 'sender@client.test', to: ['someone@elsewhere.test'] },
        raw: testMessage('relay attempt').raw,
      }),
    );
    expect(failure.responseCode).toBe(554);
    expect(failure.response).toMatch(/Relay access denied/);
  });

  it('delivers what an authenticated client sends to another domain into the sink', async () => {
    const { raw, messageId } = testMessage('to the outside');
    await transportFor(postfix, 'starttls').sendMail({
      envelope: { from: 'user@example.test', to: ['someone@elsewhere.test'] },
      raw,
    });
    const delivered = await postfix.waitForDelivery((message) => message.bytes.includes(messageId));
    expect(delivered.username).toBeUndefined();
    expect(delivered.bytes.toString('utf8')).toContain('Delivered-To: someone@elsewhere.test\n');
    expect((await postfix.sinkMessages()).map((message) => message.uidl)).toContain(delivered.uidl);
  });

  it('requires STARTTLS on the submission port and AUTH before any recipient', async () => {
    const noTls = await smtpFailure(
      createTransport({
        host: postfix.host,
        port: postfix.submissionPort,
        ignoreTLS: true,
      }).sendMail({
        envelope: { from: 'sender@client.test', to: ['user@example.test'] },
        raw: testMessage('no TLS').raw,
      }),
    );
    expect(noTls.responseCode).toBe(530);
    expect(noTls.response).toMatch(/Must issue a STARTTLS command first/);
    const noAuth = await smtpFailure(
      transportFor(postfix, 'starttls', null).sendMail({
        envelope: { from: 'sender@client.test', to: ['user@example.test'] },
        raw: testMessage('no auth').raw,
      }),
    );
    expect(noAuth.responseCode).toBe(554);
    expect(noAuth.response).toMatch(/Recipient address rejected: Access denied/);
  });

  it('answers an unknown user of its domain with 550 5.1.1', async () => {
    const failure = await smtpFailure(
      transportFor(postfix, 'starttls').sendMail({
        envelope: { from: 'sender@client.test', to: ['nobody@example.test'] },
        raw: testMessage('unknown user').raw,
      }),
    );
    expect(failure.responseCode).toBe(550);
    expect(failure.response).toMatch(/^550 5\.1\.1 /);
  });

  it('accepts mail for its own users on the plain port without authentication', async () => {
    const { raw, messageId } = testMessage('plain, like an MX');
    await transportFor(postfix, 'plain', null).sendMail({
      envelope: { from: 'sender@client.test', to: ['user@example.test'] },
      raw,
    });
    const delivered = await postfix.waitForDelivery((message) => message.bytes.includes(messageId));
    expect(delivered.username).toBe('user');
    expect(delivered.bytes.toString('utf8')).toMatch(/with ESMTP id /);
  });

  it('advertises pipelining, size, 8BITMIME, SMTPUTF8, chunking and Dovecot mechanisms', async () => {
    const keywords = await ehloKeywords(postfix.plainPort as number);
    expect(keywords).toEqual(
      expect.arrayContaining([
        'PIPELINING',
        'SIZE 10240000',
        'ENHANCEDSTATUSCODES',
        '8BITMIME',
        'SMTPUTF8',
        'CHUNKING',
        'DSN',
        expect.stringMatching(/^AUTH PLAIN LOGIN .*XOAUTH2 OAUTHBEARER$/),
      ]),
    );
    expect(keywords).not.toContain('STARTTLS');
  });
});
