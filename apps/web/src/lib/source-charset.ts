/**
 * Which character set to show a message's source in. The raw bytes are mail as sent: headers in
 * ASCII (or UTF-8), each text part in the charset its Content-Type declares (KOI8-R, Shift_JIS,
 * ISO-8859-x, …). A message declares one legacy charset in the common case; that one is used for
 * the whole source (ASCII reads the same in all of them). Without one, UTF-8.
 */
const UNICODE = new Set(['utf-8', 'utf8', 'us-ascii', 'ascii']);

/** The charsets the source's Content-Type headers declare, in order, lower-cased. */
export function declaredCharsets(source: string): string[] {
  const found: string[] = [];
  // A parameter may sit on a folded continuation line of the header; quoted or not.
  const pattern = /^content-type:[^\r\n]*(?:\r?\n[ \t][^\r\n]*)*/gim;
  for (const header of source.match(pattern) ?? []) {
    const charset = /charset\s*=\s*"?([^";\s]+)"?/i.exec(header)?.[1]?.toLowerCase();
    if (charset && !found.includes(charset)) found.push(charset);
  }
  return found;
}

function decoderFor(label: string): TextDecoder | null {
  try {
    return new TextDecoder(label);
  } catch {
    return null; // A label the browser does not know.
  }
}

/** The source as text, decoded with the message's own charset; and which one that was. */
export function decodeSource(bytes: Uint8Array): { text: string; charset: string } {
  // Headers and MIME structure are ASCII: a first Latin-1 pass reads them without loss.
  const ascii = new TextDecoder('iso-8859-1').decode(bytes);
  const legacy = declaredCharsets(ascii).find((label) => !UNICODE.has(label) && decoderFor(label));
  if (legacy) {
    const decoder = decoderFor(legacy)!;
    return { text: decoder.decode(bytes), charset: decoder.encoding };
  }
  return { text: new TextDecoder('utf-8').decode(bytes), charset: 'utf-8' };
}
