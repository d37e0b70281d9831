/**
 * Small typed readers over an environment object. Each reader records a problem (naming the
 * variable and the expected form) instead of throwing, so `finish()` can report them all.
 */
import cron from 'node-cron';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}
interface IntRange {
  min?: number;
  max?: number;
}

export interface EnvReader {
  string(name: string, fallback: string): string;
  optionalString(name: string): string | undefined;
  int(name: string, fallback: number, range?: IntRange): number;
  optionalInt(name: string, range?: IntRange): number | undefined;
  bool(name: string, fallback: boolean): boolean;
  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T;
  list(name: string): string[];
  optionalUrl(name: string): string | undefined;
  bytes(name: string, fallback: number): number;
  optionalBytes(name: string): number | undefined;
  cron(name: string, fallback: string): string;
  problem(name: string, message: string): void;
  finish(): void;
}

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off']);
const BYTE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1000,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1000 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1000 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1000 ** 4,
  tib: 1024 ** 4,
};

function describeRange({ min, max }: IntRange): string {
  if (min !== undefined && max !== undefined) return `an integer from ${min} to ${max}`;
  if (min !== undefined) return `an integer ≥ ${min}`;
  if (max !== undefined) return `an integer ≤ ${max}`;
  return 'an integer';
}

/** Parses "1048576", "512MiB", "2GB", "10k" into bytes; undefined when malformed. */
export function parseByteSize(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  if (!match) return undefined;
  const unit = BYTE_UNITS[(match[2] ?? '').toLowerCase()];
  if (unit === undefined) return undefined;
  const value = Math.floor(Number(match[1]) * unit);
  return Number.isSafeInteger(value) ? value : undefined;
}

export function envReader(env: Record<string, string | undefined>): EnvReader {
  const problems: string[] = [];
  // An empty string is treated as unset: `FOO=` in an env file means "no value".
  const raw = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const problem = (name: string, message: string) => {
    problems.push(`${name}: ${message}`);
  };
  const readInt = (name: string, range: IntRange): number | undefined => {
    const text = raw(name);
    if (text === undefined) return undefined;
    const value = /^-?\d+$/.test(text) ? Number(text) : Number.NaN;
    const ok =
      Number.isSafeInteger(value) &&
      (range.min === undefined || value >= range.min) &&
      (range.max === undefined || value <= range.max);
    if (!ok) {
      problem(name, `expected ${describeRange(range)}, got ${JSON.stringify(text)}`);
      return undefined;
    }
    return value;
  };
  const readBytes = (name: string): number | undefined => {
    const text = raw(name);
    if (text === undefined) return undefined;
    const value = parseByteSize(text);
    if (value === undefined || value <= 0) {
      problem(
        name,
        `expected a positive size in bytes, optionally with a unit (e.g. 1048576, 500MiB, 2GB), got ${JSON.stringify(text)}`,
      );
      return undefined;
    }
    return value;
  };

  return {
    string: (name, fallback) => raw(name) ?? fallback,
    optionalString: (name) => raw(name),
    int: (name, fallback, range = {}) => readInt(name, range) ?? fallback,
    optionalInt: (name, range = {}) => readInt(name, range),
    bool(name, fallback) {
      const text = raw(name)?.toLowerCase();
      if (text === undefined) return fallback;
      if (TRUE_WORDS.has(text)) return true;
      if (FALSE_WORDS.has(text)) return false;
      problem(name, `expected true or false, got ${JSON.stringify(raw(name))}`);
      return fallback;
    },
    oneOf(name, allowed, fallback) {
      const text = raw(name);
      if (text === undefined) return fallback;
      const found = allowed.find((candidate) => candidate === text.toLowerCase());
      if (found === undefined) {
        problem(name, `expected one of ${allowed.join(', ')}, got ${JSON.stringify(text)}`);
        return fallback;
      }
      return found;
    },
    list: (name) =>
      (raw(name) ?? '')
        .split(',')
        .map((item) => item.trim().toLowerCase())
        .filter((item) => item !== ''),
    optionalUrl(name) {
      const text = raw(name);
      if (text === undefined) return undefined;
      let url: URL | undefined;
      try {
        url = new URL(text);
      } catch {
        url = undefined;
      }
      if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
        problem(name, `expected an http(s) URL, got ${JSON.stringify(text)}`);
        return undefined;
      }
      return text;
    },
    bytes: (name, fallback) => readBytes(name) ?? fallback,
    optionalBytes: (name) => readBytes(name),
    cron(name, fallback) {
      const text = raw(name);
      if (text === undefined) return fallback;
      if (!cron.validate(text)) {
        problem(name, `expected a cron expression (e.g. "*/10 * * * *"), got ${JSON.stringify(text)}`);
        return fallback;
      }
      return text;
    },
    problem,
    finish() {
      if (problems.length > 0) throw new ConfigError(problems);
    },
  };
}
