export { dovecotAvailable } from './available';
export { generateSelfSignedCert, certificateSha256 } from './certificate';
export type { SelfSignedCertificate } from './certificate';
export { DEFAULT_AUTH_MECHANISMS } from './config';
export { expectedPop3Bytes } from './line-endings';
export type { MaildirMessageFile } from './maildir';
export { startDovecot } from './start-dovecot';
export type { Dovecot, StartDovecotOptions } from './start-dovecot';
export type { DovecotUser } from './users';
