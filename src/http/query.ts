/** Query-string readers: each bad value is a 400 that names the parameter. */
import type { ParsedUrlQuery } from 'node:querystring';
import { badRequest } from './http-error.js';

function single(query: ParsedUrlQuery, name: string): string | undefined {
  const value = query[name];
  if (Array.isArray(value)) {
    if (value.length > 1) throw badRequest(name, 'given more than once');
    return value[0];
  }
  return value;
}

export function intParam(query: ParsedUrlQuery, name: string, fallback: number, min: number, max: number): number {
  const text = single(query, name);
  if (text === undefined || text === '') return fallback;
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw badRequest(name, `expected an integer from ${min} to ${max}`);
  }
  return value;
}

/** `?status=a,b` or `?status=a&status=b`; every value must be one of `allowed`. */
export function listParam<T extends string>(
  query: ParsedUrlQuery,
  name: string,
  allowed: readonly T[],
): T[] | undefined {
  const raw = query[name];
  if (raw === undefined) return undefined;
  const values = (Array.isArray(raw) ? raw : [raw]).flatMap((v) => v.split(',')).map((v) => v.trim());
  const bad = values.find((v) => !(allowed as readonly string[]).includes(v));
  if (bad !== undefined) throw badRequest(name, `unknown value ${JSON.stringify(bad)}; expected ${allowed.join(', ')}`);
  return values as T[];
}

export function enumParam<T extends string>(query: ParsedUrlQuery, name: string, allowed: readonly T[]): T | undefined {
  const text = single(query, name);
  if (text === undefined || text === '') return undefined;
  if (!(allowed as readonly string[]).includes(text)) {
    throw badRequest(name, `expected one of ${allowed.join(', ')}`);
  }
  return text as T;
}

/** An ISO-8601 date/time or milliseconds since the epoch. */
export function timeParam(query: ParsedUrlQuery, name: string): number | undefined {
  const text = single(query, name);
  if (text === undefined || text === '') return undefined;
  const numeric = /^\d+$/.test(text);
  const value = numeric ? Number(text) : /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : Number.NaN;
  if (!Number.isSafeInteger(value)) {
    throw badRequest(name, 'expected an ISO-8601 time (2026-01-31T12:00:00Z) or milliseconds since the epoch');
  }
  return value;
}

export function stringParam(query: ParsedUrlQuery, name: string): string | undefined {
  const text = single(query, name);
  return text === undefined || text === '' ? undefined : text;
}
