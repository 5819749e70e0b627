import type { AutoconfigReply } from '@popgate/contracts';
import type { AccountForm } from './account-form';

/** An address as the autoconfiguration takes it: something@domain, no spaces. */
export const EMAIL_PATTERN = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

export const isEmailAddress = (text: string) => EMAIL_PATTERN.test(text.trim());

const domainOf = (email: string) => email.trim().split('@').pop()!.toLowerCase();

/** The connection fields the autoconfiguration fills in. */
export type FilledFields = Pick<AccountForm, 'host' | 'port' | 'security' | 'username'>;

/** What the answer proposes for the form, or null when there is no POP3 to propose. */
export function suggestedFields(reply: AutoconfigReply): FilledFields | null {
  if (!reply.popAvailable || !reply.pop3) return null;
  return {
    host: reply.pop3.host,
    port: reply.pop3.port,
    security: reply.pop3.security,
    username: reply.username,
  };
}

/**
 * Fills the form from the answer. `overwrite` (the user asked: "Fill in settings") replaces what
 * is there; otherwise (on leaving the address field) only fields still empty, or still as the
 * last suggestion left them, change: what the user typed stays. Answers what was filled in.
 */
export function fillForm(
  form: AccountForm,
  reply: AutoconfigReply,
  options: { overwrite: boolean; previous?: FilledFields | null },
): FilledFields | null {
  const fields = suggestedFields(reply);
  if (!fields) return null;
  const previous = options.previous ?? null;
  const untouchedServer = !form.host.trim() || (previous !== null && form.host === previous.host);
  if (options.overwrite || untouchedServer) {
    form.host = fields.host;
    form.security = fields.security;
    form.port = fields.port;
  }
  const untouchedUser =
    !form.username.trim() || (previous !== null && form.username === previous.username);
  if (options.overwrite || untouchedUser) form.username = fields.username;
  return fields;
}

/** Where the settings came from, in words (and how far to trust them). */
export function describeSource(reply: AutoconfigReply, email: string): string {
  const domain = domainOf(email);
  const provider = reply.provider ?? domain;
  if (!reply.popAvailable) {
    return `${provider} does not offer POP3, so Popgate cannot download this mailbox.`;
  }
  switch (reply.source) {
    case 'preset':
      return `Settings for ${provider}, from Popgate’s list of known providers.`;
    case 'autoconfig':
      return `Settings from ${domain}’s own configuration document${reply.provider ? ` (${reply.provider})` : ''}.`;
    case 'mx':
      return `Settings worked out from where ${domain} receives its mail (its MX records${reply.provider ? `: ${reply.provider}` : ''}). Check them with your provider if the test fails.`;
    case 'guess':
    default: {
      const host = reply.pop3?.host ?? `pop.${domain}`;
      if (reply.probed === true) {
        return `A guess from the usual server names: a POP3 server answered at ${host}.`;
      }
      if (reply.probed === false) {
        return `Only a guess: nothing answered at ${host}. Your provider’s help pages list the right server.`;
      }
      return `Only a guess from the usual server names (${host}): check it with your provider.`;
    }
  }
}
