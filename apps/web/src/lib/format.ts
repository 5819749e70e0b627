import type { Address } from '@popgate/contracts';

const sameDay = (a: Date, b: Date) =>
  a.getFullYear() === b.getFullYear() &&
  a.getMonth() === b.getMonth() &&
  a.getDate() === b.getDate();

/** As mail lists show dates: the time today, the day this year, the full date before. */
export function listDate(iso: string, now = new Date()): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  if (sameDay(date, now))
    return date.toLocaleTimeString(undefined, { hour: 'numeric', minute: '2-digit' });
  if (date.getFullYear() === now.getFullYear()) {
    return date.toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
  }
  return date.toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
}

export function fullDate(iso: string | null | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return date.toLocaleString(undefined, { dateStyle: 'full', timeStyle: 'short' });
}

/** "in 4 minutes", "2 hours ago"; with `past`, a time a little ahead (clocks) is "just now". */
export function relativeTime(
  iso: string | null | undefined,
  now = Date.now(),
  options: { past?: boolean } = {},
): string {
  if (!iso) return '';
  let then = new Date(iso).getTime();
  if (Number.isNaN(then)) return '';
  if (options.past) then = Math.min(then, now);
  const seconds = Math.round((then - now) / 1000);
  const format = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  const abs = Math.abs(seconds);
  // A past time is never "in a few seconds", even when it is this very second.
  if (abs < 45) return seconds > 0 && !options.past ? 'in a few seconds' : 'just now';
  if (abs < 3600) return format.format(Math.round(seconds / 60), 'minute');
  if (abs < 86_400) return format.format(Math.round(seconds / 3600), 'hour');
  return format.format(Math.round(seconds / 86_400), 'day');
}

export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

export function senderName(from: Address): string {
  return from.name || from.address || '(unknown sender)';
}

export function addressLine(address: Address): string {
  if (!address.name) return address.address;
  return address.address ? `${address.name} <${address.address}>` : address.name;
}
