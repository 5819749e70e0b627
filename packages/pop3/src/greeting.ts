/** The server's first line. */
export interface Pop3Greeting {
  /** Text after "+OK". */
  text: string;
  /** The APOP timestamp ("<...@...>") if the server offered one, which enables APOP. */
  apopTimestamp: string | null;
}

/** RFC 1939 section 7: the timestamp is a msg-id, "<" local "@" domain ">", in the greeting. */
const APOP_TIMESTAMP = /<[^<>\s@]*@[^<>\s]*>/;

export function parseGreeting(text: string): Pop3Greeting {
  return { text, apopTimestamp: APOP_TIMESTAMP.exec(text)?.[0] ?? null };
}
