/** What the server saw, for assertions. */
export interface Pop3ServerStats {
  /** Connections accepted. */
  sessions: number;
  activeSessions: number;
  /** Every line received, SASL responses included, in arrival order. */
  commands: Array<{ session: number; line: string }>;
  /** QUIT commands, in any state. */
  quits: number;
  /** Sessions that reached UPDATE and deleted at least one message. */
  updates: number;
  /** Sessions that reached UPDATE at all (QUIT in TRANSACTION), with or without deletions. */
  updateStates: number;
  /** Messages removed by UPDATE, all sessions together. */
  deletedMessages: number;
  /** Successful logins. */
  logins: number;
  /** Failed authentication attempts (wrong credentials or an injected auth-error). */
  authFailures: number;
}

export function emptyStats(): Pop3ServerStats {
  return {
    sessions: 0,
    activeSessions: 0,
    commands: [],
    quits: 0,
    updates: 0,
    updateStates: 0,
    deletedMessages: 0,
    logins: 0,
    authFailures: 0,
  };
}
