/**
 * A parsed search (Gmail's operators): a tree of and/or/not over text matches and filters.
 * Built by `parseSearch` (query-parser.ts), turned into SQL by `searchSql` (search-sql.ts).
 */

/** Where free text or an operator's text is looked for. */
export type TextField = 'any' | 'from' | 'to' | 'cc' | 'subject' | 'filename';

/** A word or "phrase" to find; `prefix`: the word still being typed (the query's last word). */
export interface TextNode {
  kind: 'text';
  field: TextField;
  value: string;
  phrase: boolean;
  prefix: boolean;
}

export type FlagName = 'attachment' | 'unread' | 'read' | 'starred' | 'unstarred';

export interface FlagNode {
  kind: 'flag';
  flag: FlagName;
}

/** in: — a scope; a query naming one replaces the list's folder. */
export type FolderName = 'inbox' | 'sent' | 'trash' | 'anywhere';

export interface FolderNode {
  kind: 'folder';
  folder: FolderName;
}

/** account: — an account of the caller's, by label, host or user name (a substring of either). */
export interface AccountNode {
  kind: 'account';
  value: string;
}

/** before:/after: a day (UTC midnight); older_than:/newer_than: a span back from now. */
/** label: — a label the message came with (Takeout's), or one nested in it (Work finds Work/X). */
export interface LabelNode {
  kind: 'label';
  value: string;
}

export interface DateNode {
  kind: 'date';
  /** before: date < at; after: date >= at. */
  op: 'before' | 'after';
  at: { day: string } | { ago: { amount: number; unit: 'day' | 'month' | 'year' } };
}

export interface SizeNode {
  kind: 'size';
  op: 'larger' | 'smaller';
  bytes: number;
}

export interface AndNode {
  kind: 'and';
  children: SearchNode[];
}

export interface OrNode {
  kind: 'or';
  children: SearchNode[];
}

export interface NotNode {
  kind: 'not';
  child: SearchNode;
}

export type SearchNode =
  | TextNode
  | FlagNode
  | FolderNode
  | AccountNode
  | LabelNode
  | DateNode
  | SizeNode
  | AndNode
  | OrNode
  | NotNode;
