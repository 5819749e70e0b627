import { ApiError } from '../api/client';
import { NEW_PASSWORD_MIN_LENGTH } from './limits';

/**
 * What is wrong with what was typed in a sign-in, sign-up or password form, in plain words for
 * the message next to the field ('' when nothing is). The server checks again; these spare a
 * round trip and say it where the person is looking.
 */

/** Roughly what the server takes: something, an @, a domain with a dot, no spaces. */
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/u;

export function emailProblem(value: string): string {
  const email = value.trim();
  if (!email) return 'Enter your email address.';
  if (!EMAIL_SHAPE.test(email)) {
    return 'This is not an email address: it looks like name@example.com.';
  }
  return '';
}

export function passwordProblem(value: string): string {
  return value ? '' : 'Enter your password.';
}

export function newPasswordProblem(value: string): string {
  if (!value) return 'Choose a password.';
  if (value.length < NEW_PASSWORD_MIN_LENGTH) {
    return `At least ${NEW_PASSWORD_MIN_LENGTH} characters: this one has ${value.length}.`;
  }
  return '';
}

export function confirmProblem(password: string, confirm: string): string {
  if (!confirm) return 'Type the password again, to be sure of it.';
  if (confirm !== password) return 'The two passwords differ.';
  return '';
}

/**
 * The server's refusal of a field, when it is about one ("body/email is not an email address"):
 * which field and what to say next to it; null for any other error.
 */
export function fieldOfServerError(error: unknown): { field: string; message: string } | null {
  if (!(error instanceof ApiError) || error.code !== 'VALIDATION') return null;
  const field = /^body\/(\w+)/u.exec(error.message)?.[1];
  if (field === 'email') {
    return { field, message: 'This is not an email address: it looks like name@example.com.' };
  }
  if (field === 'password' || field === 'newPassword') {
    return { field: 'password', message: `At least ${NEW_PASSWORD_MIN_LENGTH} characters.` };
  }
  return null;
}
