import type { Keyring } from '../crypto/secret-box';
import type { Db } from '../db/prisma';
import { uuidV7 } from '../db/uuid-v7';
import type { AuthMethod, Security } from '../generated/prisma/enums';
import { sealAccountSecret } from './account-secret';

/** An account as the user links it (DESIGN.md "account in"). */
export interface AccountInput {
  label: string;
  host: string;
  port: number;
  security: Security;
  username: string;
  password: string;
  auth: AuthMethod;
  policy?: {
    leaveOnServer?: boolean;
    deleteAfterDays?: number | null;
    deleteWhenDeletedHere?: boolean;
    pollSeconds?: number;
    maxFullDownloadBytes?: number | null;
  };
  tls?: { caPem?: string | null; pinSha256?: string | null };
}

/**
 * Stores a linked POP3 account with its password sealed for it (the id is chosen here, so the
 * sealed password is bound to it from the start); it is due for a first check at once.
 */
export async function linkAccount(
  prisma: Pick<Db, 'pop3Account'>,
  keyring: Keyring,
  userId: string,
  input: AccountInput,
) {
  const id = uuidV7();
  return prisma.pop3Account.create({
    data: {
      id,
      userId,
      label: input.label,
      host: input.host.trim().toLowerCase(),
      port: input.port,
      security: input.security,
      username: input.username,
      authMethod: input.auth,
      ...sealAccountSecret(keyring, id, input.password),
      tlsCaPem: input.tls?.caPem ?? null,
      tlsPinSha256: input.tls?.pinSha256 ?? null,
      ...(input.policy?.leaveOnServer !== undefined && {
        leaveOnServer: input.policy.leaveOnServer,
      }),
      ...(input.policy?.deleteAfterDays !== undefined && {
        deleteAfterDays: input.policy.deleteAfterDays,
      }),
      ...(input.policy?.deleteWhenDeletedHere !== undefined && {
        deleteWhenDeletedHere: input.policy.deleteWhenDeletedHere,
      }),
      ...(input.policy?.pollSeconds !== undefined && { pollSeconds: input.policy.pollSeconds }),
      ...(input.policy?.maxFullDownloadBytes !== undefined && {
        maxFullDownloadBytes: input.policy.maxFullDownloadBytes,
      }),
      nextSyncAt: new Date(),
    },
  });
}
