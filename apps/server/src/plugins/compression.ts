import compress from '@fastify/compress';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/**
 * Text that shrinks: JSON, HTML, CSS, JavaScript, SVG, XML, plain text, a message's source.
 * Not an event stream (compression would hold its events back), and not `octet-stream` (the
 * plugin's default takes it, but an attachment of unknown type is as often a zip as not);
 * other types fall to mime-db's judgement, which leaves images, archives and PDFs alone.
 */
const COMPRESSIBLE = /^text\/(?!event-stream)|[+/](?:json|text|xml)(?:;|$)|^message\/rfc822/u;

/**
 * Compresses answers the client accepts compressed (brotli or gzip), API JSON and the web app's
 * files alike; small answers (under 1 KiB) go as they are.
 */
export const compressionPlugin = fp(async (app: FastifyInstance) => {
  await app.register(compress, {
    encodings: ['br', 'gzip'],
    threshold: 1024,
    customTypes: COMPRESSIBLE,
  });
});
