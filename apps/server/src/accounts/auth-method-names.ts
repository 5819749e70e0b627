import type { AuthMethod as ApiAuthMethod } from '@popgate/contracts';
import type { Pop3AuthMechanism } from '@popgate/pop3';
import type { AuthMethod as DbAuthMethod } from '../generated/prisma/enums';

/**
 * The one place where a login method changes its spelling: the API says "cram-md5", a database
 * enum value cannot hold a dash ("cram_md5"), and the POP3 client has names of its own.
 */
export const authMethodToDb = (auth: ApiAuthMethod): DbAuthMethod =>
  auth === 'cram-md5' ? 'cram_md5' : auth;

export const authMethodToApi = (auth: DbAuthMethod): ApiAuthMethod =>
  auth === 'cram_md5' ? 'cram-md5' : auth;

/** Every method the API offers, the POP3 client knows by the same name. */
export const authMethodToPop3 = (auth: ApiAuthMethod): Pop3AuthMechanism => auth;
