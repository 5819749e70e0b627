// Tools for testing POP3 servers over a raw socket (this package's own and Dovecot).
export { Pop3Wire } from './pop3-wire';
export { apopDigest, b64, cramMd5Response, oauthBearer, unb64, xoauth2 } from './sasl';
