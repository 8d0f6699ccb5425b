import path from 'node:path';
import { z } from 'zod';
import type { GraphQLLimits } from './graphql/limits.js';
import type { ConnectionLimits } from './http/connectionLimits.js';

/** Where ChatAPI keeps its data: the embedded SQLite default, or a shared PostgreSQL. */
export type DatabaseConfig =
  | {
      provider: 'sqlite';
      /** Absolute path of the SQLite file. */
      file: string;
      /**
       * `NORMAL` (default): with WAL, a commit survives a crash of the process but may be lost on
       * power failure. `FULL`: an fsync per commit batch, survives power failure too.
       */
      synchronous: 'NORMAL' | 'FULL';
      /** How long a write waits for another process holding the database lock. @default 5000 */
      busyTimeoutMs: number;
    }
  | { provider: 'postgresql'; url: string };

export interface Config {
  listen: { host: string | undefined; port: number };
  dataDir: string;
  database: DatabaseConfig;
  /** Absent: the admin API is disabled (answers 401) and a warning is logged at start. */
  masterApiKey: string | undefined;
  logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
  /** Requests per second per tenant unless the tenant has its own limit. @default 100 */
  defaultRateLimit: number;
  /** Largest message content, in UTF-8 bytes. @default 16384 */
  maxMessageBytes: number;
  /** Largest request body accepted by REST and GraphQL over HTTP, in bytes. */
  maxBodyBytes: number;
  /** Requests per second one address may make without credentials (health, introspection). @default 20 */
  anonymousRateLimit: number;
  /** Take the client address from X-Forwarded-For (behind a load balancer). @default false */
  trustProxy: boolean;
  /**
   * Redis, for several instances behaving as one: the event bus, shared rate limits and presence.
   * Absent: everything stays in this process (one instance).
   */
  redis: { url: string; prefix: string; instanceTtlMs: number } | undefined;
  realtime: {
    /** How often the server pings every WebSocket. @default 30000 */
    pingIntervalMs: number;
    /** A peer silent (no pong, no frame) this long is dropped. @default 60000 */
    idleTimeoutMs: number;
    /** A socket whose unsent bytes exceed this is a slow consumer and is disconnected. @default 1048576 */
    maxBufferedBytes: number;
    /** A user goes OFFLINE this long after their last connection closed. @default 5000 */
    presenceGraceMs: number;
    /** "typing" ends by itself this long after the last typing signal. @default 5000 */
    typingTimeoutMs: number;
  };
  notifications: {
    /** How often the delivery worker looks for notifications to retry. @default 5000 */
    workerIntervalMs: number;
    /** Delay before the first retry; doubles after each attempt. @default 30000 */
    retryIntervalMs: number;
    /** Retries before an unacknowledged notification becomes a dead letter. @default 5 */
    retryMaxAttempts: number;
    /** How long an undelivered notification is kept. @default 7 days */
    ttlMs: number;
  };
  /** Longest a graceful shutdown may take before remaining sockets are cut. @default 10000 */
  shutdownDrainTimeoutMs: number;
  /** How much one GraphQL operation may ask for (GRAPHQL_MAX_*). */
  graphqlLimits: GraphQLLimits;
  /** What one client, tenant or user may hold open: connections, WebSockets, subscriptions. */
  connectionLimits: {
    http: ConnectionLimits;
    /** Open WebSockets of one tenant on this instance. @default 2000 */
    maxWebSocketsPerTenant: number;
    /** Open WebSockets of one user on this instance. @default 50 */
    maxWebSocketsPerUser: number;
    /** A WebSocket not authenticated this long after the upgrade is closed (4408). @default 10000 */
    webSocketAuthTimeoutMs: number;
    /** Active graphql-ws subscriptions on one socket. @default 100 */
    maxSubscriptionsPerSocket: number;
    /** Active graphql-ws subscriptions of one user on this instance. @default 500 */
    maxSubscriptionsPerUser: number;
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** One message for every way a number can be wrong, so it always says what is allowed. */
const intSetting = (min: number, max: number) => {
  const allowed = `must be a whole number from ${min} to ${max}`;
  return z
    .string()
    .trim()
    .regex(/^-?\d+$/, allowed)
    .transform(Number)
    .pipe(z.number().int().min(min, allowed).max(max, allowed));
};

/** The duration settings, so `--help` shows their defaults as durations rather than milliseconds. */
const durationSettings = new WeakSet<object>();

/** `500ms`, `30s`, `5m`, `1h`, or a bare number of seconds. */
const durationSetting = (maxMs: number) => {
  const setting = z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^\d+(\.\d+)?(ms|s|m|h)?$/, 'must be a duration such as 500ms, 30s, 5m or 1h')
    .transform((v) => {
      const [, amount, unit = 's'] = /^([\d.]+)(ms|s|m|h)?$/.exec(v)!;
      return Math.round(Number(amount) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit as 'ms']);
    })
    .pipe(z.number().min(1, 'must be longer than 0').max(maxMs, 'is too long'));
  durationSettings.add(setting);
  return setting;
};

const envSchema = z.object({
  LISTEN_ADDR: z.string().trim().default(':8080'),
  DATA_DIR: z.string().trim().min(1).default('./data'),
  DATABASE_URL: z.string().trim().min(1).optional(),
  DATABASE_DSN: z.string().trim().min(1).optional(),
  MASTER_API_KEY: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()))
    .pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  LOG_LEVEL: z
    .string()
    .trim()
    .toLowerCase()
    .default('info')
    .pipe(z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'])),
  DEFAULT_RATE_LIMIT: intSetting(1, 1_000_000).default(100),
  ANONYMOUS_RATE_LIMIT: intSetting(1, 1_000_000).default(20),
  MAX_MESSAGE_BYTES: intSetting(1, 1_048_576).default(16_384),
  SQLITE_SYNCHRONOUS: z
    .string()
    .trim()
    .toUpperCase()
    .default('NORMAL')
    .pipe(z.enum(['NORMAL', 'FULL'])),
  SQLITE_BUSY_TIMEOUT_MS: intSetting(0, 600_000).default(5_000),
  WS_PING_INTERVAL: durationSetting(3_600_000).default(30_000),
  WS_IDLE_TIMEOUT: durationSetting(3_600_000).default(60_000),
  WS_MAX_BUFFERED_BYTES: intSetting(1024, 1 << 30).default(1 << 20),
  PRESENCE_GRACE: durationSetting(3_600_000).default(5_000),
  TYPING_TIMEOUT: durationSetting(600_000).default(5_000),
  WORKER_INTERVAL: durationSetting(3_600_000).default(5_000),
  RETRY_INTERVAL: durationSetting(86_400_000).default(30_000),
  RETRY_MAX_ATTEMPTS: intSetting(1, 100).default(5),
  NOTIFICATION_TTL: durationSetting(365 * 86_400_000).default(7 * 86_400_000),
  SHUTDOWN_DRAIN_TIMEOUT: durationSetting(600_000).default(10_000),
  REDIS_URL: z
    .string()
    .trim()
    .optional()
    .transform((v) => v || undefined)
    .pipe(
      z
        .string()
        .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
        .optional(),
    ),
  REDIS_PREFIX: z.string().trim().min(1).max(64).default('chatapi:'),
  PRESENCE_INSTANCE_TTL: durationSetting(600_000).default(15_000),
  // GraphQL limits (src/graphql/limits.ts)
  GRAPHQL_MAX_DEPTH: intSetting(2, 1_000).default(10),
  GRAPHQL_MAX_ALIASES: intSetting(0, 100_000).default(30),
  GRAPHQL_MAX_TOKENS: intSetting(100, 10_000_000).default(2_000),
  GRAPHQL_MAX_DIRECTIVES: intSetting(0, 100_000).default(20),
  GRAPHQL_MAX_COST: intSetting(100, 1_000_000_000).default(20_000),
  GRAPHQL_MAX_RESPONSE_BYTES: intSetting(65_536, 1 << 30).default(4 << 20),
  // Connection limits (one block).
  MAX_CONNECTIONS: intSetting(1, 1_000_000).default(4_000),
  MAX_CONNECTIONS_PER_ADDRESS: intSetting(1, 1_000_000).default(256),
  MAX_CONNECTIONS_PER_TENANT: intSetting(1, 1_000_000).default(2_000),
  MAX_CONNECTIONS_PER_USER: intSetting(1, 1_000_000).default(50),
  MAX_SUBSCRIPTIONS_PER_SOCKET: intSetting(1, 100_000).default(100),
  MAX_SUBSCRIPTIONS_PER_USER: intSetting(1, 1_000_000).default(500),
  HTTP_HEADERS_TIMEOUT: durationSetting(600_000).default(10_000),
  HTTP_REQUEST_TIMEOUT: durationSetting(3_600_000).default(30_000),
  HTTP_BODY_IDLE_TIMEOUT: durationSetting(600_000).default(10_000),
  WS_AUTH_TIMEOUT: durationSetting(600_000).default(10_000),
  TRUST_PROXY: z
    .string()
    .trim()
    .toLowerCase()
    .default('false')
    .pipe(z.enum(['true', 'false', '1', '0'], { error: 'must be true or false' })),
});

type Env = z.output<typeof envSchema>;
type SettingName = keyof typeof envSchema.shape;

/**
 * Each setting parsed on its own, so one bad value neither hides another nor the cross-setting
 * checks of `loadConfig`.
 */
function parseSettings(env: NodeJS.ProcessEnv): { values: Partial<Env>; problems: string[] } {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, setting] of Object.entries(envSchema.shape)) {
    const parsed = setting.safeParse(env[name]);
    if (parsed.success) values[name] = parsed.data;
    else problems.push(...parsed.error.issues.map((issue) => `${name}: ${issue.message}`));
  }
  return { values: values as Partial<Env>, problems };
}

/** What each setting means, for `chatapi --help`. Typed by the schema: a new setting needs a line. */
const settingHelp: Record<SettingName, string> = {
  LISTEN_ADDR: 'Address to listen on: ":8080" (all interfaces), "127.0.0.1:8080", "[::1]:8080"',
  DATA_DIR: 'Directory for the embedded SQLite database',
  DATABASE_URL: 'postgres://... for PostgreSQL, or file:path for SQLite (default: DATA_DIR/chatapi.db)',
  DATABASE_DSN: 'A SQLite file path (older name; DATABASE_URL wins)',
  MASTER_API_KEY: 'Key for the admin API, at least 16 characters (unset: admin API disabled)',
  LOG_LEVEL: 'trace, debug, info, warn, error, fatal or silent',
  DEFAULT_RATE_LIMIT: 'Requests per second per tenant, unless the tenant has its own limit',
  MAX_MESSAGE_BYTES: 'Largest message content, in UTF-8 bytes',
  SQLITE_SYNCHRONOUS: 'NORMAL (survives a process crash) or FULL (survives power failure too)',
  SQLITE_BUSY_TIMEOUT_MS: 'How long a SQLite write waits for another process holding the lock (ms)',
  WS_PING_INTERVAL: 'How often the server pings every WebSocket',
  WS_IDLE_TIMEOUT: 'A WebSocket peer silent this long is dropped (longer than WS_PING_INTERVAL)',
  WS_MAX_BUFFERED_BYTES: 'Unsent bytes after which a socket counts as a slow consumer and is closed',
  PRESENCE_GRACE: 'A user goes OFFLINE this long after their last connection closed',
  TYPING_TIMEOUT: '"typing" ends by itself this long after the last typing signal',
  WORKER_INTERVAL: 'How often the notification worker looks for notifications to retry',
  RETRY_INTERVAL: 'Delay before the first notification retry; doubles after each attempt',
  RETRY_MAX_ATTEMPTS: 'Retries before an unacknowledged notification becomes a dead letter',
  NOTIFICATION_TTL: 'How long an undelivered notification is kept',
  SHUTDOWN_DRAIN_TIMEOUT: 'Longest a graceful shutdown may take before remaining sockets are cut',
  REDIS_URL: 'redis://... to run several instances as one (unset: single instance)',
  REDIS_PREFIX: 'Prefix of every Redis key and channel',
  PRESENCE_INSTANCE_TTL: 'An instance that stopped refreshing its presence this long is counted gone',
  TRUST_PROXY: 'true: take the client address from X-Forwarded-For (behind a load balancer)',
  ANONYMOUS_RATE_LIMIT: 'Requests per second per address without credentials (only health and introspection)',
  GRAPHQL_MAX_DEPTH: 'Deepest selection nesting of a GraphQL operation',
  GRAPHQL_MAX_ALIASES: 'Most aliased fields in one GraphQL document',
  GRAPHQL_MAX_TOKENS: 'Most tokens in one GraphQL document (counted while parsing)',
  GRAPHQL_MAX_DIRECTIVES: 'Most directives in one GraphQL document',
  GRAPHQL_MAX_COST: 'Highest estimated cost of an operation (list fields count once per item)',
  GRAPHQL_MAX_RESPONSE_BYTES: 'Largest GraphQL answer; a larger one is replaced by an error',
  MAX_CONNECTIONS: 'Open TCP connections in total (HTTP and WebSocket)',
  MAX_CONNECTIONS_PER_ADDRESS: 'Open TCP connections from one address (not applied with TRUST_PROXY)',
  MAX_CONNECTIONS_PER_TENANT: 'Open WebSockets of one tenant on an instance',
  MAX_CONNECTIONS_PER_USER: 'Open WebSockets of one user on an instance',
  MAX_SUBSCRIPTIONS_PER_SOCKET: 'Active graphql-ws operations on one socket',
  MAX_SUBSCRIPTIONS_PER_USER: 'Active graphql-ws operations of one user on an instance',
  HTTP_HEADERS_TIMEOUT: 'A request whose headers take longer is answered 408 and closed',
  HTTP_REQUEST_TIMEOUT: 'A whole request taking longer is answered 408 and closed',
  HTTP_BODY_IDLE_TIMEOUT: 'A request body that stops arriving this long is cut',
  WS_AUTH_TIMEOUT: 'A WebSocket not authenticated this long after the upgrade closes with 4408',
};

/** A default as an operator would write it: durations in their largest whole unit. */
function showDefault(name: SettingName): string {
  const setting: z.ZodType = envSchema.shape[name];
  const parsed = setting.safeParse(undefined);
  if (!parsed.success || parsed.data === undefined) return '-';
  const value = parsed.data;
  const inner = setting instanceof z.ZodDefault ? setting.unwrap() : setting;
  if (typeof value !== 'number' || !durationSettings.has(inner)) return String(value);
  const units: Array<[string, number]> = [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ];
  for (const [unit, ms] of units) if (value % ms === 0) return `${value / ms}${unit}`;
  return `${value}ms`;
}

/** The configuration table of `chatapi --help`, built from the schema above so it cannot drift. */
export function configurationHelp(): string {
  const names = Object.keys(envSchema.shape) as SettingName[];
  const rows = names.map((name) => [name, showDefault(name), settingHelp[name]]);
  const widths = [0, 1].map((column) => Math.max(...rows.map((row) => row[column]!.length), 8));
  const line = (row: string[]) => `  ${row[0]!.padEnd(widths[0]!)}  ${row[1]!.padEnd(widths[1]!)}  ${row[2]}`;
  return [line(['VARIABLE', 'DEFAULT', 'MEANING']), ...rows.map(line)].join('\n');
}

/** Parses `LISTEN_ADDR` in the forms `:8080`, `8080`, `127.0.0.1:8080`, `[::1]:8080`. */
function parseListenAddr(value: string): { host: string | undefined; port: number } | string {
  const match = /^(?:(\[[0-9a-fA-F:.]+\]|[^:\s]*):)?(\d{1,5})$/.exec(value);
  if (!match) return 'must look like ":8080", "8080" or "127.0.0.1:8080"';
  const port = Number(match[2]);
  if (port > 65_535) return 'port must be at most 65535';
  const host = match[1] ? match[1].replace(/^\[|\]$/g, '') : undefined;
  return { host, port };
}

/** A SQLite location from `file:path`, `sqlite:path` or a plain path; query strings are ignored. */
function sqliteFile(value: string, cwd: string): string {
  const bare = value.replace(/^(file|sqlite3?):(\/\/)?/, '').replace(/\?.*$/, '');
  return path.resolve(cwd, bare);
}

/**
 * Reads the environment once into one typed object. Every problem is reported together, each
 * naming the variable, so an operator fixes them in one go.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const { values, problems } = parseSettings(env);
  // A setting that failed is undefined here: the checks below only compare values and skip what
  // is missing, and nothing is returned unless every problem list stayed empty.
  const e = values as Env;

  const listen = parseListenAddr(e.LISTEN_ADDR);
  if (typeof listen === 'string') problems.push(`LISTEN_ADDR: ${listen}`);

  const dataDir = path.resolve(cwd, e.DATA_DIR);
  let database: DatabaseConfig | undefined;
  const sqlite = (file: string): DatabaseConfig => ({
    provider: 'sqlite',
    file,
    synchronous: e.SQLITE_SYNCHRONOUS,
    busyTimeoutMs: e.SQLITE_BUSY_TIMEOUT_MS,
  });
  if (e.DATABASE_URL) {
    if (/^postgres(ql)?:\/\//.test(e.DATABASE_URL)) {
      database = { provider: 'postgresql', url: e.DATABASE_URL };
    } else if (/^(file|sqlite3?):/.test(e.DATABASE_URL)) {
      database = sqlite(sqliteFile(e.DATABASE_URL, cwd));
    } else {
      problems.push('DATABASE_URL: must start with file:, postgres:// or postgresql://');
    }
  } else if (e.DATABASE_DSN) {
    database = sqlite(sqliteFile(e.DATABASE_DSN, cwd));
  } else {
    database = sqlite(path.join(dataDir, 'chatapi.db'));
  }

  if (e.WS_IDLE_TIMEOUT !== undefined && e.WS_PING_INTERVAL !== undefined && e.WS_IDLE_TIMEOUT <= e.WS_PING_INTERVAL) {
    problems.push(
      'WS_IDLE_TIMEOUT: must be longer than WS_PING_INTERVAL (a peer gets at least one ping before it counts as silent)',
    );
  }
  if (e.HTTP_REQUEST_TIMEOUT < e.HTTP_HEADERS_TIMEOUT) {
    problems.push('HTTP_REQUEST_TIMEOUT: must be at least HTTP_HEADERS_TIMEOUT (the request includes its headers)');
  }
  if (problems.length > 0 || typeof listen === 'string' || !database) throw new ConfigError(problems);
  return {
    listen,
    dataDir,
    database,
    masterApiKey: e.MASTER_API_KEY,
    logLevel: e.LOG_LEVEL,
    defaultRateLimit: e.DEFAULT_RATE_LIMIT,
    maxMessageBytes: e.MAX_MESSAGE_BYTES,
    maxBodyBytes: Math.max(256 * 1024, 4 * e.MAX_MESSAGE_BYTES),
    anonymousRateLimit: e.ANONYMOUS_RATE_LIMIT,
    trustProxy: e.TRUST_PROXY === 'true' || e.TRUST_PROXY === '1',
    redis: e.REDIS_URL
      ? { url: e.REDIS_URL, prefix: e.REDIS_PREFIX, instanceTtlMs: e.PRESENCE_INSTANCE_TTL }
      : undefined,
    realtime: {
      pingIntervalMs: e.WS_PING_INTERVAL,
      idleTimeoutMs: e.WS_IDLE_TIMEOUT,
      maxBufferedBytes: e.WS_MAX_BUFFERED_BYTES,
      presenceGraceMs: e.PRESENCE_GRACE,
      typingTimeoutMs: e.TYPING_TIMEOUT,
    },
    notifications: {
      workerIntervalMs: e.WORKER_INTERVAL,
      retryIntervalMs: e.RETRY_INTERVAL,
      retryMaxAttempts: e.RETRY_MAX_ATTEMPTS,
      ttlMs: e.NOTIFICATION_TTL,
    },
    shutdownDrainTimeoutMs: e.SHUTDOWN_DRAIN_TIMEOUT,
    graphqlLimits: {
      maxDepth: e.GRAPHQL_MAX_DEPTH,
      maxAliases: e.GRAPHQL_MAX_ALIASES,
      maxTokens: e.GRAPHQL_MAX_TOKENS,
      maxDirectives: e.GRAPHQL_MAX_DIRECTIVES,
      maxCost: e.GRAPHQL_MAX_COST,
      maxResponseBytes: e.GRAPHQL_MAX_RESPONSE_BYTES,
    },
    connectionLimits: {
      http: {
        maxConnections: e.MAX_CONNECTIONS,
        maxConnectionsPerAddress: e.MAX_CONNECTIONS_PER_ADDRESS,
        headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT,
        requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT,
        bodyIdleTimeoutMs: e.HTTP_BODY_IDLE_TIMEOUT,
      },
      maxWebSocketsPerTenant: e.MAX_CONNECTIONS_PER_TENANT,
      maxWebSocketsPerUser: e.MAX_CONNECTIONS_PER_USER,
      webSocketAuthTimeoutMs: e.WS_AUTH_TIMEOUT,
      maxSubscriptionsPerSocket: e.MAX_SUBSCRIPTIONS_PER_SOCKET,
      maxSubscriptionsPerUser: e.MAX_SUBSCRIPTIONS_PER_USER,
    },
  };
}
