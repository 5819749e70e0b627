import { dotStuff } from './message-encoding';
import type { ResolvedCapabilities } from './options';

/** How the server answers, honouring which response codes it advertises. */
export class ResponseWriter {
  constructor(private readonly capabilities: ResolvedCapabilities) {}

  ok(text: string): Buffer {
    return Buffer.from(`+OK ${text}\r\n`, 'utf8');
  }

  /** "-ERR [CODE] text"; the code is dropped when RESP-CODES (or AUTH-RESP-CODE) is off. */
  err(text: string, code?: string): Buffer {
    const allowed =
      code !== undefined &&
      this.capabilities.respCodes &&
      (code !== 'AUTH' || this.capabilities.authRespCode);
    return Buffer.from(`-ERR ${allowed ? `[${code}] ` : ''}${text}\r\n`, 'utf8');
  }

  /** A status line followed by a dot-stuffed body that already ends with CRLF. */
  multiline(status: string, body: Buffer): Buffer {
    return Buffer.concat([this.ok(status), dotStuff(body)]);
  }

  listing(status: string, lines: string[]): Buffer {
    return this.multiline(status, Buffer.from(lines.map((line) => `${line}\r\n`).join(''), 'utf8'));
  }

  continuation(base64: string): Buffer {
    return Buffer.from(`+ ${base64}\r\n`, 'latin1');
  }
}

/** A fault's literal text as a status line: "-ERR " is added unless it already is one. */
export function literalStatus(text: string): Buffer {
  const line = text.startsWith('+') || text.startsWith('-') ? text : `-ERR ${text}`;
  return Buffer.from(`${line}\r\n`, 'utf8');
}
