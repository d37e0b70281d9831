/**
 * Reads a JSON request body with a size limit: 415 for another content type, 413 past the
 * limit (the stream is abandoned at the limit, never buffered whole), 400 for bad JSON.
 */
import type { Context } from 'koa';
import { HttpError } from './http-error.js';

export const MAX_BODY_BYTES = 64 * 1024;

export async function readJsonBody(ctx: Context, limit = MAX_BODY_BYTES): Promise<unknown> {
  if (!ctx.is('application/json') && !ctx.is('+json')) {
    throw new HttpError(415, 'unsupported_media_type', 'request body must be application/json');
  }
  const declared = Number(ctx.get('content-length') || '0');
  if (declared > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooLarge(limit);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') throw new HttpError(400, 'invalid_body', 'request body is empty; expected a JSON object');
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'invalid_body', 'request body is not valid JSON');
  }
}

function tooLarge(limit: number): HttpError {
  return new HttpError(413, 'payload_too_large', `request body is larger than ${limit} bytes`);
}
