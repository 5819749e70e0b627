import { domainToASCII } from 'node:url';
import { invalid } from '../domain-errors';

export interface AddressParts {
  /** The address as the user typed it, trimmed. */
  address: string;
  localPart: string;
  /** Lowercase, in its ASCII (punycode) form. */
  domain: string;
}

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Splits an e-mail address at its last @; a domain that is not a public host name is refused. */
export function addressParts(email: string): AddressParts {
  const address = email.trim();
  const at = address.lastIndexOf('@');
  const localPart = address.slice(0, at);
  const domain = domainToASCII(
    address
      .slice(at + 1)
      .replace(/\.$/, '')
      .toLowerCase(),
  );
  const labels = domain.split('.');
  if (
    at < 1 ||
    domain.length === 0 ||
    domain.length > 253 ||
    labels.length < 2 ||
    !labels.every((label) => LABEL.test(label)) ||
    /^\d+$/.test(labels[labels.length - 1]!)
  ) {
    throw invalid('INVALID_EMAIL', `${address} is not an e-mail address with a domain name`);
  }
  return { address, localPart, domain };
}
