import { RecipientQuery, RecipientSuggestions } from '@popgate/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { suggestRecipients } from '../../drafts/recipient-suggestions';
import { draftErrors } from './responses';

export const recipientsRoute: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/drafts/recipients',
    {
      schema: {
        tags: ['drafts'],
        summary: 'Address completion: people in my own mail whose name or address contains q',
        description:
          'Up to 10 {name, address} from the From, To and Cc of my latest 2,000 messages, the most frequent first, then the most recent; my own addresses left out.',
        querystring: RecipientQuery,
        response: { 200: RecipientSuggestions, ...draftErrors },
      },
    },
    async (request) => ({
      items: await suggestRecipients(app.db.prisma, request.user!.id, request.query.q ?? ''),
    }),
  );
};
