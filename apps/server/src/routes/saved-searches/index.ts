import {
  ErrorReply,
  SavedSearchIdParams,
  SavedSearchIn,
  SavedSearchList,
  SavedSearchOut,
  SavedSearchPatch,
} from '@popgate/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  listSavedSearches,
  removeSavedSearch,
  saveSearch,
  updateSavedSearch,
} from '../../saved-searches/saved-searches';

/** /api/saved-searches: the caller's named searches for the mail sidebar. */
export const savedSearchRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('preHandler', app.requireUser);
  const { prisma } = app.db;
  const tags = ['saved searches'];

  app.get(
    '/api/saved-searches',
    {
      schema: {
        tags,
        summary: 'The caller’s saved searches, in the order they were saved',
        response: { 200: SavedSearchList, 401: ErrorReply },
      },
    },
    async (request) => ({ items: await listSavedSearches(prisma, request.user!.id) }),
  );

  app.post(
    '/api/saved-searches',
    {
      schema: {
        tags,
        summary: 'Save a search under a name',
        description:
          '400 INVALID_QUERY (with error.position) when the query cannot be read; 409 NAME_TAKEN or TOO_MANY_SAVED_SEARCHES.',
        body: SavedSearchIn,
        response: { 201: SavedSearchOut, 400: ErrorReply, 401: ErrorReply, 409: ErrorReply },
      },
    },
    async (request, reply) => {
      const { name, query } = request.body;
      const saved = await saveSearch(prisma, request.user!.id, { name, query });
      return reply.code(201).send(saved);
    },
  );

  app.patch(
    '/api/saved-searches/:id',
    {
      schema: {
        tags,
        summary: 'Rename a saved search or change its query',
        description:
          'Checked as when saving: 400 INVALID_QUERY (with error.position), NAME_REQUIRED or QUERY_REQUIRED; 409 NAME_TAKEN; 404 for anything not the caller’s.',
        params: SavedSearchIdParams,
        body: SavedSearchPatch,
        response: {
          200: SavedSearchOut,
          400: ErrorReply,
          401: ErrorReply,
          404: ErrorReply,
          409: ErrorReply,
        },
      },
    },
    async (request) => {
      const { name, query } = request.body;
      return updateSavedSearch(prisma, request.user!.id, request.params.id, {
        ...(name !== undefined && { name }),
        ...(query !== undefined && { query }),
      });
    },
  );

  app.delete(
    '/api/saved-searches/:id',
    {
      schema: {
        tags,
        summary: 'Remove a saved search',
        params: SavedSearchIdParams,
        response: { 204: Type.Null(), 401: ErrorReply, 404: ErrorReply },
      },
    },
    async (request, reply) => {
      await removeSavedSearch(prisma, request.user!.id, request.params.id);
      return reply.code(204).send(null);
    },
  );
};
