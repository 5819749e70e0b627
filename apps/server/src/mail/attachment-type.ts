/**
 * Types an attachment may be served as. Everything else — HTML, SVG, XML, scripts, and whatever a
 * browser might render and run — goes out as application/octet-stream (and as a download).
 */
const SHOWABLE_TYPES = new Set([
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'application/pdf',
]);

const mediaType = (declared: string) => declared.split(';')[0]!.trim().toLowerCase();

/** The Content-Type to serve an attachment with: its own only when it is a harmless one. */
export function servedAttachmentType(declared: string): string {
  const type = mediaType(declared);
  return SHOWABLE_TYPES.has(type) ? type : 'application/octet-stream';
}

/** Images and PDF may be shown in the browser (in a sandbox); everything else is downloaded. */
export function canShowInline(declared: string): boolean {
  return SHOWABLE_TYPES.has(mediaType(declared));
}
