import type {
  AccountTestError,
  IdentityTestError,
  ServerInfo,
  SmtpServerInfo,
} from '@popgate/contracts';
import { explainTestError, type TestExplanation } from './account-status';
import { describeSmtpServerInfo, explainSmtpTestError } from './identity-form';
import { describeServerInfo, type InfoRow } from './server-info';

/**
 * How one protocol's connection test is told (POP3 for an account, SMTP for sending): the one
 * result component (ConnectionTestResult) takes these and says the rest the same way.
 */
export interface TestProtocol<Error, Info> {
  explain(
    error: Error,
    settings: { host: string; port: number; security?: string },
  ): TestExplanation;
  describeInfo(info: Info): InfoRow[];
  /** After "Connected and signed in.". */
  succeeded: string;
  /** A pinned fingerprint the server still did not match. */
  alreadyTrusted: string;
  /** The button that takes the user to the field to fix. */
  fixLabel(field: NonNullable<TestExplanation['field']>): string;
  testId: string;
  fingerprintTestId: string;
}

export const POP3_TEST: TestProtocol<AccountTestError, ServerInfo> = {
  explain: (error, settings) => explainTestError(error, { security: '', ...settings }),
  describeInfo: describeServerInfo,
  succeeded: 'Popgate can read this mailbox.',
  alreadyTrusted:
    'This fingerprint is already trusted for this account, yet the server did not match it.',
  fixLabel: (field) => (field === 'password' ? 'Update the password' : `Change the ${field}`),
  testId: 'test-result',
  fingerprintTestId: 'fingerprint',
};

export const SMTP_TEST: TestProtocol<IdentityTestError, SmtpServerInfo> = {
  explain: explainSmtpTestError,
  describeInfo: describeSmtpServerInfo,
  succeeded: 'Popgate can send mail through this server.',
  alreadyTrusted:
    'This fingerprint is already trusted for this server, yet the server did not match it.',
  fixLabel: (field) =>
    field === 'password'
      ? 'Check the password'
      : `Change the ${field === 'auth' ? 'authentication method' : field}`,
  testId: 'smtp-test-result',
  fingerprintTestId: 'smtp-fingerprint',
};
