/** Opaque page cursors: base64url of the last row's position. Malformed input is a 400. */
import type { HistoryCursor } from '../jobs/store/index.js';
import { badRequest } from './http-error.js';

export function encodeCursor(cursor: HistoryCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt, cursor.seq])).toString('base64url');
}

export function decodeCursor(text: string): HistoryCursor {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && value.every((n) => Number.isSafeInteger(n))) {
      return { createdAt: value[0] as number, seq: value[1] as number };
    }
  } catch {
    // fall through to the error below
  }
  throw badRequest('cursor', 'not a cursor this server issued; use nextCursor from a previous page');
}
