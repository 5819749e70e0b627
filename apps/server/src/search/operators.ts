import { invalidQuery } from './query-error';
import type { SearchNode, TextField } from './search-node';

/** The operators a search takes (Gmail's), as the search box offers them. */
export const OPERATOR_NAMES = [
  'from',
  'to',
  'cc',
  'subject',
  'has',
  'filename',
  'is',
  'in',
  'account',
  'label',
  'before',
  'after',
  'older_than',
  'newer_than',
  'larger',
  'smaller',
] as const;
export type OperatorName = (typeof OPERATOR_NAMES)[number];

const TEXT_FIELDS: Partial<Record<OperatorName, TextField>> = {
  from: 'from',
  to: 'to',
  cc: 'cc',
  subject: 'subject',
  filename: 'filename',
};

const IS_VALUES = {
  unread: 'unread',
  read: 'read',
  starred: 'starred',
  flagged: 'starred',
  unstarred: 'unstarred',
} as const;
const IN_VALUES = ['inbox', 'sent', 'trash', 'anywhere'] as const;
/** A size is kept as a 32-bit integer. */
const MAX_BYTES = 2 ** 31 - 1;
const SIZE_UNITS: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 };
const SPAN_UNITS = { d: 'day', m: 'month', y: 'year' } as const;
/** older_than:/newer_than: reach back at most this many years. */
const MAX_SPAN_YEARS = 200;

export const isOperatorName = (name: string): name is OperatorName =>
  (OPERATOR_NAMES as readonly string[]).includes(name);

/** Optimal string alignment distance, capped: enough to spot a typed operator's typo. */
function distance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      }
      rows[i]![j] = best;
    }
  }
  return rows[a.length]![b.length]!;
}

/**
 * The operator a mistyped name was meant to be (form -> from), or null when it looks like no
 * operator at all (then `name:value` is searched as a word: "re:", "http://…", "10:30").
 */
export function likelyOperator(name: string): OperatorName | null {
  const lower = name.toLowerCase();
  const allowed = lower.length <= 3 ? 1 : 2;
  let best: { name: OperatorName; score: number } | null = null;
  for (const candidate of OPERATOR_NAMES) {
    const score = distance(lower, candidate);
    if (score <= allowed && (!best || score < best.score)) best = { name: candidate, score };
  }
  return best?.name ?? null;
}

function day(value: string, position: number): string {
  const match = /^(\d{4})[/-](\d{1,2})[/-](\d{1,2})$/.exec(value);
  if (!match) throw invalidQuery(`bad date "${value}": write YYYY/MM/DD or YYYY-MM-DD`, position);
  const [year, month, date] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const parsed = new Date(Date.UTC(year, month - 1, date));
  if (
    year < 1 ||
    parsed.getUTCFullYear() !== year ||
    parsed.getUTCMonth() !== month - 1 ||
    parsed.getUTCDate() !== date
  ) {
    throw invalidQuery(`bad date "${value}": no such day`, position);
  }
  return `${match[1]}-${String(month).padStart(2, '0')}-${String(date).padStart(2, '0')}`;
}

function bytes(value: string, position: number): number {
  const match = /^(\d{1,10})([KMG]?)B?$/i.exec(value);
  if (!match) throw invalidQuery(`bad size "${value}": write e.g. 500K, 10M or 2000000`, position);
  const size = Number(match[1]) * SIZE_UNITS[match[2]!.toUpperCase()]!;
  if (size > MAX_BYTES) throw invalidQuery(`size "${value}" is above 2G`, position);
  return size;
}

function span(value: string, position: number) {
  const match = /^(\d{1,5})([dmy])$/i.exec(value);
  if (!match) throw invalidQuery(`bad time span "${value}": write e.g. 7d, 2m or 1y`, position);
  const amount = Number(match[1]);
  const unit = SPAN_UNITS[match[2]!.toLowerCase() as keyof typeof SPAN_UNITS];
  const years = unit === 'day' ? amount / 366 : unit === 'month' ? amount / 12 : amount;
  if (years > MAX_SPAN_YEARS) {
    throw invalidQuery(`time span "${value}" is over ${MAX_SPAN_YEARS} years`, position);
  }
  return { amount, unit };
}

function choice<T extends string>(
  name: string,
  value: string,
  allowed: readonly T[],
  position: number,
): T {
  const lower = value.toLowerCase();
  const found = allowed.find((candidate) => candidate === lower);
  if (!found) {
    throw invalidQuery(
      `${name}: takes ${allowed.map((v) => `${name}:${v}`).join(', ')}, not "${value}"`,
      position,
    );
  }
  return found;
}

export interface OperatorInput {
  name: OperatorName;
  value: string;
  quoted: boolean;
  /** Where the value starts (1-based). */
  position: number;
  /** The query's last token, not followed by a space: its word is still being typed. */
  typing: boolean;
}

/** One operator and its value as a node of the search; throws INVALID_QUERY for a bad value. */
export function operatorNode({ name, value, quoted, position, typing }: OperatorInput): SearchNode {
  const field = TEXT_FIELDS[name];
  if (field) {
    // Addresses are matched by any word's beginning (from:carol finds carol.smith@…).
    const prefix = !quoted && (typing || field === 'from' || field === 'to' || field === 'cc');
    return { kind: 'text', field, value, phrase: quoted, prefix };
  }
  switch (name) {
    case 'has':
      choice('has', value === 'attachments' ? 'attachment' : value, ['attachment'], position);
      return { kind: 'flag', flag: 'attachment' };
    case 'is': {
      const chosen = choice('is', value, Object.keys(IS_VALUES), position);
      return { kind: 'flag', flag: IS_VALUES[chosen as keyof typeof IS_VALUES] };
    }
    case 'in':
      return {
        kind: 'folder',
        folder: choice('in', value === 'all' ? 'anywhere' : value, IN_VALUES, position),
      };
    case 'account':
      return { kind: 'account', value };
    case 'label':
      return { kind: 'label', value: value.replace(/\s+/g, ' ').trim() };
    case 'before':
    case 'after':
      return { kind: 'date', op: name, at: { day: day(value, position) } };
    case 'older_than':
      return { kind: 'date', op: 'before', at: { ago: span(value, position) } };
    case 'newer_than':
      return { kind: 'date', op: 'after', at: { ago: span(value, position) } };
    case 'larger':
    case 'smaller':
      return { kind: 'size', op: name, bytes: bytes(value, position) };
    default:
      throw invalidQuery(`unknown operator "${name}:"`, position);
  }
}
