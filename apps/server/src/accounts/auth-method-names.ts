import type { AuthMethod as ApiAuthMethod } from '@popgate/contracts';
import type { AuthMethod as DbAuthMethod } from '../generated/prisma/enums';

/** The API spells it "cram-md5"; a database enum value cannot hold a dash. */
export const authMethodToDb = (auth: ApiAuthMethod): DbAuthMethod =>
  auth === 'cram-md5' ? 'cram_md5' : auth;

export const authMethodToApi = (auth: DbAuthMethod): ApiAuthMethod =>
  auth === 'cram_md5' ? 'cram-md5' : auth;
