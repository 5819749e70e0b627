import { HOST_NAME_PATTERN, type AdminPolicy, type HostSessionLimit } from '@popgate/contracts';
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
  /** Empty: the operator's setting. */
  syncSessionsPerHost: string;
  syncAccountsPerHostSession: string;
  /** One server a line: its host name and its sessions ("pop.gmail.com 50"). */
  hostSessionLimits: string;
}

export type PolicyErrors = Partial<Record<keyof PolicyForm, string>>;

const MB = 1024 * 1024;
const HOST_NAME = new RegExp(HOST_NAME_PATTERN);

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
    syncSessionsPerHost: optionalText(policy.syncSessionsPerHost),
    syncAccountsPerHostSession: optionalText(policy.syncAccountsPerHostSession),
    hostSessionLimits: policy.hostSessionLimits
      .map(({ host, sessions }) => `${host} ${sessions}`)
      .join('\n'),
  };
}

const optionalText = (value: number | null) => (value === null ? '' : String(value));

/** The limits per server as written, one a line ("host sessions"), or the first line that is not. */
export function parseHostSessionLimits(text: string): {
  limits: HostSessionLimit[];
  bad: string | null;
} {
  const limits: HostSessionLimit[] = [];
  for (const line of text.split('\n').map((l) => l.trim())) {
    if (line === '') continue;
    const [host, sessions, extra] = line.split(/[\s:=,]+/);
    const count = Number(sessions);
    const valid =
      host !== undefined &&
      host.length <= 253 &&
      HOST_NAME.test(host) &&
      extra === undefined &&
      Number.isInteger(count) &&
      count >= 1 &&
      count <= 4096;
    if (!valid) return { limits, bad: line };
    limits.push({ host: host.toLowerCase(), sessions: count });
  }
  return { limits, bad: null };
}

/** A whole number in [min, max], or empty (the operator's setting). */
function optionalWhole(text: string, min: number, max: number): boolean {
  if (text.trim() === '') return true;
  const value = numberIn(text, min, max);
  return value !== null && Number.isInteger(value);
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
  if (!optionalWhole(form.syncSessionsPerHost, 1, 4096)) {
    errors.syncSessionsPerHost = 'A whole number from 1 to 4096, or empty.';
  }
  if (!optionalWhole(form.syncAccountsPerHostSession, 1, 1_000_000)) {
    errors.syncAccountsPerHostSession = 'A whole number from 1 to 1000000, or empty.';
  }
  const { limits, bad } = parseHostSessionLimits(form.hostSessionLimits);
  const seen = new Set<string>();
  const twice = limits.find(({ host }) => seen.size === seen.add(host).size);
  if (bad) {
    errors.hostSessionLimits = `“${bad}” is not a server name and a number of sessions (1 to 4096), like pop.example.com 10.`;
  } else if (twice) errors.hostSessionLimits = `${twice.host} is listed twice.`;
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
    syncSessionsPerHost: optionalNumber(form.syncSessionsPerHost),
    syncAccountsPerHostSession: optionalNumber(form.syncAccountsPerHostSession),
    hostSessionLimits: parseHostSessionLimits(form.hostSessionLimits).limits,
  };
}

const optionalNumber = (text: string) => (text.trim() === '' ? null : Number(text.trim()));
