import type { SmtpAuthMethod as ApiSmtpAuthMethod } from '@popgate/contracts';
import type { SmtpAuthMethod as DbSmtpAuthMethod } from '../generated/prisma/enums';

/**
 * The one place where an SMTP sign-in method changes its spelling: the API says "cram-md5", a
 * database enum value cannot hold a dash ("cram_md5"), SMTP's AUTH keyword says "CRAM-MD5".
 */
export const smtpAuthToDb = (auth: ApiSmtpAuthMethod): DbSmtpAuthMethod =>
  auth === 'cram-md5' ? 'cram_md5' : auth;

export const smtpAuthToApi = (auth: DbSmtpAuthMethod): ApiSmtpAuthMethod =>
  auth === 'cram_md5' ? 'cram-md5' : auth;

/** The SASL mechanism name a server announces after AUTH, or null for "auto". */
export const smtpAuthToSasl = (auth: ApiSmtpAuthMethod): string | null =>
  auth === 'auto' ? null : auth.toUpperCase();
