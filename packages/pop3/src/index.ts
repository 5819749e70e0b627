export { Pop3Client, type Pop3SessionState } from './client';
export { probeServer, type Pop3ProbeResult } from './probe-server';
export {
  Pop3Error,
  isPop3Error,
  type Pop3ErrorCode,
  type Pop3ErrorDetails,
  type Pop3Limit,
} from './errors';
export type {
  Pop3AuthMechanism,
  Pop3AuthOptions,
  Pop3ConnectOptions,
  Pop3Limits,
  Pop3LogEntry,
  Pop3Security,
  Pop3Timeouts,
} from './options';
export type { Pop3Capabilities } from './capabilities';
export type { Pop3Greeting } from './greeting';
export type { Pop3TlsInfo } from './transport/certificate';
export type { TlsTrust } from './transport/open-socket';
export { formatServerInfo, type Pop3ServerInfo } from './server-info';
export type { FetchManyOptions, FetchManyResult } from './fetch-many';
export type { MaildropStat } from './commands/stat';
export type { MessageSize } from './commands/list';
export type { MessageUid } from './commands/uidl';
export type { AuthMethodName } from './auth/authenticate';
export { normalizeFingerprint } from './transport/certificate';
export { MultilineDecoder, type MultilineLimits } from './protocol/multiline-decoder';
