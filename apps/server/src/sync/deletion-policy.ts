/** An account's "what to delete from the server" settings, as Thunderbird offers them. */
export interface DeletionPolicy {
  leaveOnServer: boolean;
  deleteAfterDays: number | null;
  deleteWhenDeletedHere: boolean;
}

/** A message Popgate holds and the server still has. */
export interface StoredOnServer {
  uidl: string;
  receivedAt: Date;
  trashedAt: Date | null;
  /** Only headers were fetched: Popgate does not hold the message, so the server must keep it. */
  headersOnly: boolean;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** False when no message could ever be selected: leave on server with neither rule. */
export function mayDeleteAnything(policy: DeletionPolicy): boolean {
  return !policy.leaveOnServer || policy.deleteWhenDeletedHere || policy.deleteAfterDays !== null;
}

/**
 * The UIDLs to DELE now. Only messages whose full bytes are committed are ever candidates;
 * leave-on-server keeps everything except what the other two rules select.
 */
export function messagesToDelete(
  policy: DeletionPolicy,
  stored: StoredOnServer[],
  now: Date,
): string[] {
  return stored
    .filter((message) => !message.headersOnly)
    .filter((message) => {
      if (!policy.leaveOnServer) return true;
      if (policy.deleteWhenDeletedHere && message.trashedAt !== null) return true;
      if (
        policy.deleteAfterDays !== null &&
        now.getTime() - message.receivedAt.getTime() >= policy.deleteAfterDays * DAY_MS
      ) {
        return true;
      }
      return false;
    })
    .map((message) => message.uidl);
}
