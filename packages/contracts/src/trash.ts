import { Type, type Static } from 'typebox';

/** POST /api/messages/delete-permanently: trashed messages (others among the ids are ignored). */
export const PermanentDeleteBody = Type.Object(
  { ids: Type.Array(Type.String({ format: 'uuid' }), { minItems: 1, maxItems: 1000 }) },
  { additionalProperties: false },
);
export type PermanentDeleteBody = Static<typeof PermanentDeleteBody>;

/** GET and POST /api/messages/empty-trash: the whole Trash, or one account's part of it. */
export const EmptyTrashQuery = Type.Object(
  {
    accountId: Type.Optional(
      Type.String({ format: 'uuid', description: 'Only this account (default: all of them)' }),
    ),
  },
  { additionalProperties: false },
);
export type EmptyTrashQuery = Static<typeof EmptyTrashQuery>;

/** What deleting permanently removed, and what it means for the copies on the POP3 servers. */
export const PermanentDeletion = Type.Object({
  ids: Type.Array(Type.String(), {
    description:
      'The messages removed from Popgate (the caller’s trashed ones among those asked for)',
  }),
  deleteFromServer: Type.Array(Type.String(), {
    description:
      'Whose server copy the account’s policy deletes: the next check (asked for now) deletes it',
  }),
  keptOnServer: Type.Array(Type.String(), {
    description:
      'Whose server copy stays there (the account leaves mail on the server); it is not downloaded again',
  }),
});
export type PermanentDeletion = Static<typeof PermanentDeletion>;

/** GET /api/messages/empty-trash: what emptying the Trash would do, to confirm it. */
export const PermanentDeletionPreview = Type.Object({
  count: Type.Integer({ description: 'Messages in the Trash' }),
  deleteFromServer: Type.Integer({
    description: 'Of those, how many the accounts’ policies also delete from the POP3 server',
  }),
  keptOnServer: Type.Integer({
    description: 'Of those, how many stay on the POP3 server (never downloaded again)',
  }),
});
export type PermanentDeletionPreview = Static<typeof PermanentDeletionPreview>;
