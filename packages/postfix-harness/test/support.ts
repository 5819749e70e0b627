import { createTransport } from 'nodemailer';
import type { Postfix } from '../src/index';

export const USER = { username: 'user', password: 'secret' };

export type Security = 'starttls' | 'tls' | 'plain';

/** A nodemailer transport for one of the listeners, trusting the harness's certificate. */
export function transportFor(
  postfix: Postfix,
  security: Security,
  /** null: no AUTH at all. */
  auth: { user: string; pass: string } | null = { user: USER.username, pass: USER.password },
) {
  const port = {
    starttls: postfix.submissionPort,
    tls: postfix.smtpsPort,
    plain: postfix.plainPort,
  }[security];
  if (port === undefined) throw new Error(`no ${security} listener`);
  return createTransport({
    host: postfix.host,
    port,
    secure: security === 'tls',
    requireTLS: security === 'starttls',
    ignoreTLS: security === 'plain',
    tls: { ca: postfix.caPem, servername: 'localhost' },
    auth: auth ?? undefined,
    name: 'client.test',
  });
}

let counter = 0;

/** A small message with a unique Message-ID, CRLF line endings. */
export function testMessage(subject: string): { raw: Buffer; messageId: string } {
  counter += 1;
  const messageId = `<${Date.now()}.${process.pid}.${counter}@client.test>`;
  const raw = Buffer.from(
    [
      'From: Sender <sender@client.test>',
      'To: User <user@example.test>',
      `Subject: ${subject}`,
      `Message-ID: ${messageId}`,
      'Date: Mon, 07 Dec 2026 10:00:00 +0000',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      `Body of ${subject}.`,
      '',
    ].join('\r\n'),
  );
  return { raw, messageId };
}

/** The error nodemailer rejects with: responseCode and response carry the SMTP reply. */
export async function smtpFailure(promise: Promise<unknown>): Promise<{
  responseCode?: number;
  response?: string;
  code?: string;
}> {
  try {
    await promise;
  } catch (error) {
    return error as { responseCode?: number; response?: string; code?: string };
  }
  throw new Error('the SMTP transaction succeeded');
}
