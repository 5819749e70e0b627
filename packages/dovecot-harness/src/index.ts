export { dovecotAvailable } from './available';
export { generateSelfSignedCert, certificateSha256 } from '@popgate/pop3-server';
export type { SelfSignedCertificate } from '@popgate/pop3-server';
export { DEFAULT_AUTH_MECHANISMS } from './config';
export { expectedPop3Bytes } from './line-endings';
export type { MaildirMessageFile } from './maildir';
export { startDovecot } from './start-dovecot';
export type { Dovecot, StartDovecotOptions } from './start-dovecot';
export type { DovecotUser } from './users';
