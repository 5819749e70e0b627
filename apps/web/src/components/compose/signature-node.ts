import { Node } from '@tiptap/core';

/**
 * The identity's signature in the editor: a block marked `data-signature`, kept through edits
 * so that choosing another identity replaces exactly it (lib/compose-body.ts).
 */
export const SignatureBlock = Node.create({
  name: 'signature',
  group: 'block',
  content: 'block+',
  defining: true,
  parseHTML: () => [{ tag: 'div[data-signature]' }],
  renderHTML: () => ['div', { 'data-signature': '', class: 'compose-signature' }, 0],
});
