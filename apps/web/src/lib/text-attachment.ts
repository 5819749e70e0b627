/** A text attachment's bytes as text: UTF-8 when they are UTF-8, else Windows-1252 (Latin-1 mail). */
export function decodeTextAttachment(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}
