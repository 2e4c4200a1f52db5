/**
 * PostgreSQL values and connection settings for pg, as Wippy's Go driver (lib/pq) hands them to
 * Lua.
 *
 * Owns: the result parsers (pg's `types` option), the parameter conversion, and the pool settings
 * of a `db.sql.postgres` entry. Invariants, as lib/pq through Wippy: integers (int2/int4/int8/oid)
 * are `bigint`, float4/float8 numbers, bool a boolean, bytea bytes; date, timestamp and
 * timestamptz are RFC 3339 text in UTC without fractions (Go's time.RFC3339 of the value); every
 * other type (numeric, json, uuid, arrays, time...) is its text as the server sends it. A
 * parameter `bigint` travels as its decimal text, so no integer loses digits.
 */
import pg from 'pg';
import type { PostgresEntry } from '../../registry/types';
import type { SqlValue } from '../../lua/resources';

const BOOL = 16, BYTEA = 17, INT8 = 20, INT2 = 21, INT4 = 23, OID = 26, FLOAT4 = 700, FLOAT8 = 701;
const DATE = 1082, TIMESTAMP = 1114, TIMESTAMPTZ = 1184;

const TIME_RE = /^(\d{4})-(\d\d)-(\d\d)(?:[ T](\d\d):(\d\d):(\d\d)(?:\.\d+)?)?(?:([+-])(\d\d)(?::?(\d\d))?(?::?(\d\d))?)?$/;

/** `2024-01-02 03:04:05.678+02` -> `2024-01-02T01:04:05Z`; text it cannot read (infinity, BC) as is. */
export function rfc3339(text: string): string {
  const m = TIME_RE.exec(text);
  if (!m) return text;
  const n = (i: number): number => Number(m[i] ?? 0);
  const d = new Date(0);
  d.setUTCFullYear(n(1), n(2) - 1, n(3));
  d.setUTCHours(n(4), n(5), n(6), 0);
  const offset = (n(8) * 3600 + n(9) * 60 + n(10)) * 1000 * (m[7] === '-' ? -1 : 1);
  return new Date(d.getTime() - offset).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const byteaParser = pg.types.getTypeParser(BYTEA, 'text') as (v: string) => Buffer;
const identity = (v: string): string => v;

const PARSERS: Record<number, (v: string) => unknown> = {
  [BOOL]: (v) => v === 't',
  [BYTEA]: byteaParser,
  [INT8]: (v) => BigInt(v), [INT2]: (v) => BigInt(v), [INT4]: (v) => BigInt(v), [OID]: (v) => BigInt(v),
  [FLOAT4]: (v) => parseFloat(v), [FLOAT8]: (v) => parseFloat(v),
  [DATE]: rfc3339, [TIMESTAMP]: rfc3339, [TIMESTAMPTZ]: rfc3339,
};

/** pg's `types` option: our parsers for text results (the only format asked for). */
export const TYPES = {
  getTypeParser: (oid: number) => PARSERS[oid] ?? identity,
} as unknown as pg.CustomTypesConfig;

/** A parameter as pg sends it (text, or bytes for a blob). */
export function pgParam(v: SqlValue): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  return v;
}

/** A result value as the resources contract wants it (`Buffer` is a Uint8Array already). */
export function sqlValue(v: unknown): SqlValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'object' && !(v instanceof Uint8Array)) return JSON.stringify(v);
  return v as SqlValue;
}

const SSL: Record<string, pg.PoolConfig['ssl']> = {
  disable: false, allow: { rejectUnauthorized: false }, prefer: { rejectUnauthorized: false },
  require: { rejectUnauthorized: false }, 'verify-ca': { rejectUnauthorized: true }, 'verify-full': { rejectUnauthorized: true },
};

/**
 * The pool settings of an entry: a `*_env` name wins when `lookup` finds a value for it (read
 * now: the registry's env variables, then the process environment); `options` are
 * libpq's keywords (`sslmode`, `connect_timeout` in seconds, `application_name`), any other key a
 * server setting sent at connect (lib/pq does the same). Throws an Error naming what is wrong.
 */
export function poolConfig(e: PostgresEntry, lookup: (name: string) => string | undefined): pg.PoolConfig {
  const pick = (key: keyof PostgresEntry['env'], written: string): string => {
    const name = e.env[key];
    const v = name !== undefined ? lookup(name) : undefined;
    if (v !== undefined && v !== '') return v;
    if (written === '' && name !== undefined) throw new Error(`${key}_env names ${name}, which is neither an env.variable of the registry nor set in the environment`);
    return written;
  };
  const portText = pick('port', e.port ? String(e.port) : '');
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`port ${JSON.stringify(portText)} is not a port number`);
  const cfg: pg.PoolConfig = {
    host: pick('host', e.host), port, database: pick('database', e.database),
    user: pick('username', e.username), password: pick('password', e.password),
    max: e.maxOpen > 0 ? e.maxOpen : 10,
    maxLifetimeSeconds: Math.max(1, Math.round(e.maxLifetimeMs / 1000)),
    idleTimeoutMillis: 30_000,
    // Idle connections do not keep the process alive (a `wippy run -x` ends when its work does).
    allowExitOnIdle: true,
    types: TYPES,
  };
  const settings: string[] = [];
  for (const [k, v] of Object.entries(e.options)) {
    if (k === 'sslmode') {
      if (!(v in SSL)) throw new Error(`options.sslmode ${v} is not one of ${Object.keys(SSL).join(', ')}`);
      cfg.ssl = SSL[v];
    } else if (k === 'connect_timeout') cfg.connectionTimeoutMillis = Number(v) * 1000;
    else if (k === 'application_name') cfg.application_name = v;
    else settings.push(`-c ${k}=${v.replace(/([\\ ])/g, '\\$1')}`);
  }
  if (settings.length) cfg.options = settings.join(' ');
  return cfg;
}
