import MailComposer from 'nodemailer/lib/mail-composer';
import { uniqueAddresses, type ComposeAddress } from './compose-address';

/** One file of an outgoing message. */
export interface ComposeAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
}

/**
 * Everything an outgoing message is made of, already checked (drafts/draft-problems.ts) and with
 * its HTML already sanitized: composing adds nothing of its own but the MIME structure.
 */
export interface MessageToCompose {
  from: ComposeAddress;
  replyTo: ComposeAddress | null;
  to: ComposeAddress[];
  cc: ComposeAddress[];
  /** In the envelope only: a Bcc header would show every blind copy to every recipient. */
  bcc: ComposeAddress[];
  subject: string;
  date: Date;
  /** `<id@domain>`: chosen once by the caller, so that composing again gives the same one. */
  messageId: string;
  inReplyTo: string | null;
  references: string | null;
  text: string;
  /** Sanitized HTML; null for a plain-text message. */
  html: string | null;
  attachments: ComposeAttachment[];
}

export interface ComposedMime {
  raw: Buffer;
  envelope: { from: string; to: string[] };
}

const mailbox = (address: ComposeAddress) => ({ name: address.name, address: address.address });

/**
 * The RFC 5322 bytes of a message, built by nodemailer's MailComposer (which encodes headers,
 * folds lines and picks transfer encodings), and the SMTP envelope: every To, Cc and Bcc address
 * once. Nodemailer never reads a file or a URL here: every part's content is given.
 */
export async function composeMime(message: MessageToCompose): Promise<ComposedMime> {
  const composer = new MailComposer({
    from: mailbox(message.from),
    ...(message.replyTo && { replyTo: mailbox(message.replyTo) }),
    to: message.to.map(mailbox),
    ...(message.cc.length > 0 && { cc: message.cc.map(mailbox) }),
    subject: message.subject,
    date: message.date,
    messageId: message.messageId,
    ...(message.inReplyTo && { inReplyTo: message.inReplyTo }),
    ...(message.references && { references: message.references }),
    text: message.text,
    ...(message.html !== null && { html: message.html }),
    attachments: message.attachments.map((attachment) => ({
      filename: attachment.filename,
      contentType: attachment.contentType,
      content: attachment.content,
      contentDisposition: 'attachment',
    })),
    disableFileAccess: true,
    disableUrlAccess: true,
    xMailer: false,
  });
  const raw = await composer.compile().build();
  const recipients = uniqueAddresses([...message.to, ...message.cc, ...message.bcc]);
  return {
    raw,
    envelope: { from: message.from.address, to: recipients.map((r) => r.address) },
  };
}
