import { Prisma } from '../generated/prisma/client';
import type { SearchNode, TextField, TextNode } from './search-node';
import { highlightTerms, wanted } from './search-terms';

/**
 * A parsed search as SQL over `messages m` (see the migration search_multilingual for the
 * functions): `where` to filter, `rank` to order by (best first), the words to centre a snippet
 * on, and whether the query chose its folder itself (in:…), which then replaces the list's.
 */
export interface SearchSql {
  where: Prisma.Sql;
  /**
   * A `real`: 3 for a word in the subject or sender (2 for a word only begun there: the prefix
   * being typed), +1 when the words occur together as typed (a phrase); ties go to the newest.
   */
  rank: Prisma.Sql;
  /** What the user looks for (not excluded): snippets are centred on the first of them. */
  terms: string[];
  choosesFolder: boolean;
}

/** Which parts of the document (tsvector weights) each field's words are looked for in. */
const WEIGHTS: Record<TextField, string> = {
  any: '',
  subject: 'A',
  from: 'B',
  // Like Gmail's, to: finds To and Cc recipients; cc: only Cc (checked on the row).
  to: 'C',
  cc: 'C',
  // File names are indexed with the body (D); the name itself is checked on the attachments.
  filename: 'D',
};

/** The highest-ranking parts: the subject and the sender. */
const RANK_WEIGHTS: Partial<Record<TextField, string>> = { any: 'AB', subject: 'A', from: 'B' };

/** LIKE's own characters, taken literally. */
const likeEscape = (text: string) => text.replace(/[\\%_]/g, '\\$&');

const term = (node: TextNode, weights: string) =>
  Prisma.sql`popgate_search_term(${node.value}::text, ${node.prefix}, ${weights}::text)`;

/** The tsquery of a subtree made only of text matches the index answers alone, else null. */
function tsQuery(node: SearchNode): Prisma.Sql | null {
  switch (node.kind) {
    case 'text':
      return node.field === 'cc' || node.field === 'filename'
        ? null
        : term(node, WEIGHTS[node.field]);
    case 'not': {
      const child = tsQuery(node.child);
      return child && Prisma.sql`(!! ${child})`;
    }
    case 'and':
    case 'or': {
      const children = node.children.map(tsQuery);
      if (children.some((child) => child === null)) return null;
      return Prisma.sql`(${Prisma.join(children as Prisma.Sql[], node.kind === 'and' ? ' && ' : ' || ')})`;
    }
    default:
      return null;
  }
}

function textSql(node: TextNode): Prisma.Sql {
  const pattern = `%${likeEscape(node.value)}%`;
  if (node.field === 'cc') {
    return Prisma.sql`(m.search @@ ${term(node, WEIGHTS.cc)} AND EXISTS (
      SELECT 1 FROM jsonb_array_elements(m.cc) AS e(value)
       WHERE popgate_search_fold(coalesce(e.value->>'name', '') || ' ' || coalesce(e.value->>'address', ''))
             LIKE popgate_search_fold(${pattern}::text)))`;
  }
  if (node.field === 'filename') {
    // Any part of a name (filename:pdf, filename:invoice-q3): looked for in the attachments of
    // messages that have some.
    return Prisma.sql`(m."hasAttachments" AND EXISTS (SELECT 1 FROM attachments a
       WHERE a."messageId" = m.id AND popgate_search_fold(a.filename) LIKE popgate_search_fold(${pattern}::text)))`;
  }
  return Prisma.sql`m.search @@ ${term(node, WEIGHTS[node.field])}`;
}

function predicate(node: SearchNode, userId: string): Prisma.Sql {
  const ts = tsQuery(node);
  if (ts) return Prisma.sql`m.search @@ ${ts}`;
  switch (node.kind) {
    case 'text':
      return textSql(node);
    case 'and':
    case 'or':
      return Prisma.sql`(${Prisma.join(
        node.children.map((child) => predicate(child, userId)),
        node.kind === 'and' ? ' AND ' : ' OR ',
      )})`;
    case 'not':
      return Prisma.sql`NOT ${predicate(node.child, userId)}`;
    case 'flag':
      switch (node.flag) {
        case 'attachment':
          return Prisma.sql`m."hasAttachments"`;
        case 'unread':
          return Prisma.sql`NOT m.seen`;
        case 'read':
          return Prisma.sql`m.seen`;
        case 'starred':
          return Prisma.sql`m.flagged`;
        case 'unstarred':
          return Prisma.sql`NOT m.flagged`;
      }
      break;
    case 'folder':
      switch (node.folder) {
        case 'inbox':
          return Prisma.sql`(m."trashedAt" IS NULL AND m.origin <> 'sent')`;
        case 'sent':
          return Prisma.sql`(m."trashedAt" IS NULL AND m.origin = 'sent')`;
        case 'trash':
          return Prisma.sql`m."trashedAt" IS NOT NULL`;
        case 'anywhere':
          return Prisma.sql`TRUE`;
      }
      break;
    case 'account': {
      const pattern = `%${likeEscape(node.value)}%`;
      return Prisma.sql`m."accountId" IN (SELECT a.id FROM pop3_accounts a
         WHERE a."userId" = ${userId}::uuid
           AND (popgate_search_fold(a.label) LIKE popgate_search_fold(${pattern}::text)
             OR lower(a.host) LIKE lower(${pattern}::text)
             OR lower(a.username) LIKE lower(${pattern}::text)))`;
    }
    case 'label':
      // Folded as the labels' keys are (messages/labels.ts); a parent label finds its nested ones.
      return Prisma.sql`m.id IN (SELECT l."messageId" FROM message_labels l
         WHERE l."userId" = ${userId}::uuid
           AND (l.key = popgate_search_fold(${node.value}::text)
             OR starts_with(l.key, popgate_search_fold(${node.value}::text) || '/')))`;
    case 'date': {
      const at =
        'day' in node.at
          ? Prisma.sql`${node.at.day}::timestamp`
          : Prisma.sql`(now() AT TIME ZONE 'UTC') - make_interval(${Prisma.raw(
              `${node.at.ago.unit}s`,
            )} => ${node.at.ago.amount}::int)`;
      return node.op === 'before' ? Prisma.sql`m.date < ${at}` : Prisma.sql`m.date >= ${at}`;
    }
    case 'size':
      return node.op === 'larger'
        ? Prisma.sql`m.size > ${node.bytes}::int`
        : Prisma.sql`m.size < ${node.bytes}::int`;
  }
  throw new Error(`unhandled search node ${JSON.stringify(node)}`);
}

function containsFolder(node: SearchNode): boolean {
  if (node.kind === 'folder') return true;
  if (node.kind === 'not') return containsFolder(node.child);
  if (node.kind === 'and' || node.kind === 'or') return node.children.some(containsFolder);
  return false;
}

export function searchSql(node: SearchNode, userId: string): SearchSql {
  const nodes = wanted(node);
  const ranked = nodes.filter((n) => RANK_WEIGHTS[n.field] !== undefined);
  const words = nodes.filter((n) => n.field === 'any' && !n.phrase);
  // A word in the subject or sender: 3 as typed, 2 as a word's beginning only (invoi, invoicer).
  const exact = ranked.map((n) => term({ ...n, prefix: false }, RANK_WEIGHTS[n.field]!));
  const begun = ranked.filter((n) => n.prefix).map((n) => term(n, RANK_WEIGHTS[n.field]!));
  const hit = ranked.length
    ? Prisma.sql`CASE WHEN m.search @@ (${Prisma.join(exact, ' || ')}) THEN 3${
        begun.length
          ? Prisma.sql` WHEN m.search @@ (${Prisma.join(begun, ' || ')}) THEN 2`
          : Prisma.empty
      } ELSE 0 END`
    : Prisma.sql`0`;
  const phrase =
    words.length > 1
      ? Prisma.sql` + CASE WHEN m.search @@ popgate_search_term(${words
          .map((w) => w.value)
          .join(' ')}::text, ${words.at(-1)!.prefix}, '') THEN 1 ELSE 0 END`
      : Prisma.empty;
  return {
    where: predicate(node, userId),
    rank: Prisma.sql`(${hit}${phrase})::real`,
    terms: highlightTerms(nodes),
    choosesFolder: containsFolder(node),
  };
}
