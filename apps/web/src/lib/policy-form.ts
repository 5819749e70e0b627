import type { AdminPolicy } from '@popgate/contracts';
import { formatList, isHostPattern, isNetwork, parseList, parsePorts } from './network-list';

/** The policy as its form edits it: lists as text (one entry a line), numbers as text. */
export interface PolicyForm {
  signupOpen: boolean;
  allowedHosts: string;
  refusedHosts: string;
  allowedNetworks: string;
  refusedNetworks: string;
  allowedPorts: string;
  allowedSmtpPorts: string;
  requireTls: boolean;
  minPollMinutes: string;
  maxAccountsPerUser: string;
  maxMessageMegabytes: string;
  maxOutgoingMegabytes: string;
  defaultRetentionDays: string;
}

export type PolicyErrors = Partial<Record<keyof PolicyForm, string>>;

const MB = 1024 * 1024;

export function policyForm(policy: AdminPolicy): PolicyForm {
  return {
    signupOpen: policy.signupOpen,
    allowedHosts: formatList(policy.allowedHosts),
    refusedHosts: formatList(policy.refusedHosts),
    allowedNetworks: formatList(policy.allowedNetworks),
    refusedNetworks: formatList(policy.refusedNetworks),
    allowedPorts: policy.allowedPorts.join(', '),
    allowedSmtpPorts: policy.allowedSmtpPorts.join(', '),
    requireTls: policy.requireTls,
    minPollMinutes: String(+(policy.minPollSeconds / 60).toFixed(2)),
    maxAccountsPerUser: String(policy.maxAccountsPerUser),
    maxMessageMegabytes: String(+(policy.maxMessageBytes / MB).toFixed(2)),
    maxOutgoingMegabytes: String(+(policy.maxOutgoingBytes / MB).toFixed(2)),
    defaultRetentionDays:
      policy.defaultRetentionDays === null ? '' : String(policy.defaultRetentionDays),
  };
}

function numberIn(text: string, min: number, max: number): number | null {
  const value = Number(text.trim());
  return text.trim() !== '' && Number.isFinite(value) && value >= min && value <= max
    ? value
    : null;
}

/** Every mistake, by field, in words that name the bad entry. */
export function validatePolicy(form: PolicyForm): PolicyErrors {
  const errors: PolicyErrors = {};
  for (const field of ['allowedHosts', 'refusedHosts'] as const) {
    const bad = parseList(form[field]).find((entry) => !isHostPattern(entry));
    if (bad) errors[field] = `“${bad}” is not a server name like pop.example.com or *.example.com.`;
  }
  for (const field of ['allowedNetworks', 'refusedNetworks'] as const) {
    const bad = parseList(form[field]).find((entry) => !isNetwork(entry));
    if (bad) errors[field] = `“${bad}” is not a network like 10.0.0.0/8 or 2001:db8::/32.`;
  }
  const { bad: badPort } = parsePorts(form.allowedPorts);
  if (badPort) errors.allowedPorts = `“${badPort}” is not a port (1 to 65535).`;
  const { bad: badSmtpPort } = parsePorts(form.allowedSmtpPorts);
  if (badSmtpPort) errors.allowedSmtpPorts = `“${badSmtpPort}” is not a port (1 to 65535).`;
  const minutes = numberIn(form.minPollMinutes, 10 / 60, 1440);
  if (minutes === null) errors.minPollMinutes = 'Between 0.17 (10 seconds) and 1440 minutes.';
  const accounts = numberIn(form.maxAccountsPerUser, 0, 10_000);
  if (accounts === null || !Number.isInteger(accounts)) {
    errors.maxAccountsPerUser = 'A whole number from 0 to 10000.';
  }
  if (numberIn(form.maxMessageMegabytes, 0.001, 1024) === null) {
    errors.maxMessageMegabytes = 'Between 0.001 and 1024 MB.';
  }
  if (numberIn(form.maxOutgoingMegabytes, 0.001, 1024) === null) {
    errors.maxOutgoingMegabytes = 'Between 0.001 and 1024 MB.';
  }
  if (form.defaultRetentionDays.trim() !== '') {
    const days = numberIn(form.defaultRetentionDays, 1, 3650);
    if (days === null || !Number.isInteger(days)) {
      errors.defaultRetentionDays = 'A whole number of days from 1 to 3650, or empty.';
    }
  }
  return errors;
}

/** The policy to send; call after {@link validatePolicy} found nothing. */
export function policyFromForm(form: PolicyForm): AdminPolicy {
  const retention = form.defaultRetentionDays.trim();
  return {
    signupOpen: form.signupOpen,
    allowedHosts: parseList(form.allowedHosts),
    refusedHosts: parseList(form.refusedHosts),
    allowedNetworks: parseList(form.allowedNetworks),
    refusedNetworks: parseList(form.refusedNetworks),
    allowedPorts: parsePorts(form.allowedPorts).ports,
    allowedSmtpPorts: parsePorts(form.allowedSmtpPorts).ports,
    requireTls: form.requireTls,
    minPollSeconds: Math.max(10, Math.round(Number(form.minPollMinutes) * 60)),
    maxAccountsPerUser: Number(form.maxAccountsPerUser),
    maxMessageBytes: Math.max(1024, Math.round(Number(form.maxMessageMegabytes) * MB)),
    maxOutgoingBytes: Math.max(1024, Math.round(Number(form.maxOutgoingMegabytes) * MB)),
    defaultRetentionDays: retention === '' ? null : Number(retention),
  };
}
