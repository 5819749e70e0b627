// eslint-disable-next-line no-control-regex -- control characters never belong in a file name
const UNSAFE_IN_NAME = /[\u0000-\u001f\u007f/\\]/g;
const MAX_NAME_LENGTH = 180;

/** A file name a browser may save as: no path, no control characters, not empty, not too long. */
export function safeFilename(name: string | null | undefined, fallback: string): string {
  const cleaned = (name ?? '')
    .replace(UNSAFE_IN_NAME, '_')
    .replace(/^[\s.]+|\s+$/g, '')
    .slice(0, MAX_NAME_LENGTH);
  return cleaned || fallback;
}

/** RFC 8187 value characters: everything else is percent-encoded UTF-8. */
function extValue(text: string): string {
  return encodeURIComponent(text).replace(
    /['()*!]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * A Content-Disposition header (RFC 6266): an ASCII `filename` for old clients and `filename*`
 * with the exact UTF-8 name for the rest.
 */
export function contentDisposition(kind: 'attachment' | 'inline', filename: string): string {
  const ascii = filename
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]|["%;\\]/g, '_');
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${extValue(filename)}`;
}
