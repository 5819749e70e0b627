import { Type, type Static } from 'typebox';

/** DELETE /api/auth/me: a user leaves, confirming with their password. */
export const LeaveIn = Type.Object(
  { password: Type.String({ minLength: 1, maxLength: 1024 }) },
  { additionalProperties: false },
);
export type LeaveIn = Static<typeof LeaveIn>;

/** GET /api/export: everything, or narrowed to an account, a folder and a search. */
export const ExportQuery = Type.Object(
  {
    format: Type.Union([Type.Literal('mbox'), Type.Literal('zip')]),
    accountId: Type.Optional(Type.String({ format: 'uuid' })),
    folder: Type.Optional(
      Type.Union([Type.Literal('inbox'), Type.Literal('sent'), Type.Literal('trash')]),
    ),
    q: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  { additionalProperties: false },
);
export type ExportQuery = Static<typeof ExportQuery>;

/** GET /api/imports/:id, POST /api/imports' answer, and the import.progress event's payload. */
export const ImportJobOut = Type.Object({
  id: Type.String(),
  status: Type.Union([Type.Literal('running'), Type.Literal('done'), Type.Literal('failed')]),
  fileName: Type.String(),
  accountId: Type.String(),
  imported: Type.Integer(),
  duplicates: Type.Integer(),
  /** Parts of the file that could not be imported; `problems` says which and why. */
  failed: Type.Integer(),
  problems: Type.Array(Type.Object({ where: Type.String(), reason: Type.String() })),
  /** Why the import as a whole stopped (status failed). */
  error: Type.Optional(Type.String()),
});
export type ImportJobOut = Static<typeof ImportJobOut>;

export const ImportIdParams = Type.Object(
  { id: Type.String({ format: 'uuid' }) },
  { additionalProperties: false },
);
export type ImportIdParams = Static<typeof ImportIdParams>;

/** POST /api/exports: the same choice as GET /api/export, prepared as a file to download later. */
export const ExportIn = Type.Object(
  {
    format: ExportQuery.properties.format,
    accountId: ExportQuery.properties.accountId,
    folder: ExportQuery.properties.folder,
    q: ExportQuery.properties.q,
  },
  { additionalProperties: false },
);
export type ExportIn = Static<typeof ExportIn>;

/**
 * A prepared export: its progress, then the file (GET /api/exports/:id/file, Range welcome); the
 * export.progress event's payload, for a prepared export and for a download of GET /api/export
 * (streamed: true; its id is the download's X-Export-Id header).
 */
export const ExportJobOut = Type.Object({
  id: Type.String(),
  status: Type.Union([Type.Literal('running'), Type.Literal('done'), Type.Literal('failed')]),
  format: ExportQuery.properties.format,
  messages: Type.Integer(),
  bytes: Type.Integer(),
  /** How many messages the export writes in all (known when it starts). */
  total: Type.Optional(Type.Integer()),
  /** A download of GET /api/export under way (no file to fetch later). */
  streamed: Type.Optional(Type.Boolean()),
  error: Type.Optional(Type.String()),
});
export type ExportJobOut = Static<typeof ExportJobOut>;

/** A label messages came with (Gmail's, imported from Takeout), and how many carry it. */
export const LabelOut = Type.Object({ name: Type.String(), messages: Type.Integer() });
export type LabelOut = Static<typeof LabelOut>;

/** GET /api/labels: the caller's labels, for the search box (label:). */
export const LabelList = Type.Object({ items: Type.Array(LabelOut) });
export type LabelList = Static<typeof LabelList>;
