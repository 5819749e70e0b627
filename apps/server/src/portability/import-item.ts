/** One message read from an uploaded file, or why a part of the file could not be one. */
export type ImportItem =
  | { kind: 'message'; where: string; raw: Buffer }
  | { kind: 'unreadable'; where: string; reason: string };
