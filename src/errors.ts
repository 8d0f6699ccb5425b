/** What one error code means on each wire. */
export interface ErrorRow {
  /** REST and GraphQL-over-HTTP status. */
  readonly status: number;
  /** The default message. */
  readonly message: string;
  /**
   * The error fails the whole GraphQL request (no data at all): GraphQL over HTTP answers with
   * `status` instead of 200.
   */
  readonly requestLevel: boolean;
  /** The WebSocket close code when this error refuses a connection (both protocols). */
  readonly closeCode: number;
}

/** WebSocket close codes ChatAPI uses, on both protocols. */
export const CloseCode = {
  /** Shutdown or restart: reconnect shortly. */
  ServiceRestart: 1012,
  /** Try again later: the client did not read fast enough (resume from the last seq), or a dependency is away. */
  SlowConsumer: 1013,
  /** A bug on the server. */
  InternalError: 1011,
  /** Missing or invalid API key / user id. */
  Unauthorized: 4401,
  /** Valid key, but not allowed (tenant disabled). */
  Forbidden: 4403,
  /** Not authenticated in time after the upgrade (graphql-ws' own code for a missing connection_init). */
  AuthTimeout: 4408,
} as const;

const row = (
  status: number,
  message: string,
  closeCode: number = CloseCode.Unauthorized,
  requestLevel = false,
): ErrorRow => ({
  status,
  message,
  requestLevel,
  closeCode,
});

/**
 * The one error-code registry: every wire reads its row. REST answers
 * `{"success": false, "error": {code, message, ...}}` with `status`; GraphQL puts the code in
 * `extensions.code`; `/ws` sends it in an error frame; a refused WebSocket closes with `closeCode`.
 * Adding a code is adding a row.
 */
export const errorCodes = {
  VALIDATION_ERROR: row(400, 'Invalid request'),
  AUTHENTICATION_ERROR: row(401, 'Unauthorized', CloseCode.Unauthorized, true),
  AUTHORIZATION_ERROR: row(403, 'Forbidden', CloseCode.Forbidden, true),
  NOT_FOUND: row(404, 'Not found'),
  CONFLICT: row(409, 'Conflict'),
  PAYLOAD_TOO_LARGE: row(413, 'Payload too large'),
  RATE_LIMIT_EXCEEDED: row(429, 'Rate limit exceeded', CloseCode.SlowConsumer, true),
  INTERNAL_ERROR: row(500, 'Internal server error', CloseCode.InternalError),
  SERVICE_UNAVAILABLE: row(503, 'Service unavailable', CloseCode.SlowConsumer, true),
} as const satisfies Record<string, ErrorRow>;

export type ErrorCode = keyof typeof errorCodes;

/** Extra, client-safe facts about an error (`field`, `room_id`, `retry_after`...). */
export type ErrorDetails = { field?: string } & Record<string, unknown>;

/** An expected failure: its code and message are meant for the client. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string = errorCodes[code].message,
    readonly details: ErrorDetails = {},
    /** Seconds until a retry can succeed (RATE_LIMIT_EXCEEDED): becomes the Retry-After header. */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'AppError';
  }

  get row(): ErrorRow {
    return errorCodes[this.code];
  }

  get status(): number {
    return errorCodes[this.code].status;
  }

  /** HTTP headers this error adds to its answer (Retry-After). */
  get headers(): Record<string, string> {
    return this.retryAfter !== undefined ? { 'Retry-After': String(this.retryAfter) } : {};
  }
}

export const invalid = (message: string, field?: string) =>
  new AppError('VALIDATION_ERROR', message, field ? { field } : {});
export const notFound = (what: string) => new AppError('NOT_FOUND', `${what} not found`);
export const unauthenticated = (message: string) => new AppError('AUTHENTICATION_ERROR', message);
export const forbidden = (message: string) => new AppError('AUTHORIZATION_ERROR', message);
export const conflict = (message: string, details?: ErrorDetails) => new AppError('CONFLICT', message, details);
export const tooLarge = (message: string, field?: string) =>
  new AppError('PAYLOAD_TOO_LARGE', message, field ? { field } : {});
export const rateLimited = (retryAfter: number) =>
  new AppError('RATE_LIMIT_EXCEEDED', `Rate limit exceeded. Try again in ${retryAfter} seconds`, {}, retryAfter);

/** Driver-adapter error kinds and Prisma codes that mean "the database is not there right now". */
const unreachableKinds = new Set([
  'DatabaseNotReachable',
  'ConnectionClosed',
  'SocketTimeout',
  'TooManyConnections',
  'TransactionAlreadyClosed',
]);
const unreachableCodes = new Set([
  'P1001',
  'P1002',
  'P1008',
  'P1017',
  'P2024',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  // SQLite: locked, read-only (file or disk), the file gone or unopenable.
  'SQLITE_BUSY',
  'SQLITE_READONLY',
  'SQLITE_READONLY_DBMOVED',
  'SQLITE_CANTOPEN',
  'SQLITE_IOERR',
  'SQLITE_FULL',
  // PostgreSQL: administrator/crash shutdown, cannot connect now, read-only transaction (a standby).
  '57P01',
  '57P02',
  '57P03',
  '25006',
  '53300',
]);
const unreachableMessage =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|ECONNREFUSED|ECONNRESET|database is locked|readonly database|read-only transaction|unable to open database|disk I\/O error|database or disk is full|No space left on device|terminating connection due to administrator command|the database system is (shutting down|starting up|in recovery)/i;

/** True when `err` says the database cannot be reached (as opposed to a bug or bad input). */
export function isDatabaseUnavailable(err: unknown): boolean {
  type DriverError = {
    code?: string;
    message?: string;
    cause?: unknown;
    meta?: { driverAdapterError?: { cause?: { kind?: string; code?: string; originalCode?: string } } };
  };
  // Prisma wraps the driver's error (meta.driverAdapterError, or cause): look a few levels down.
  let e = err as DriverError | undefined;
  for (let depth = 0; depth < 4 && e && typeof e === 'object'; depth++, e = e.cause as DriverError | undefined) {
    const adapter = e.meta?.driverAdapterError?.cause;
    if (unreachableKinds.has(adapter?.kind ?? '')) return true;
    if (unreachableCodes.has(adapter?.code ?? '') || unreachableCodes.has(adapter?.originalCode ?? '')) return true;
    if (unreachableCodes.has(e.code ?? '')) return true;
    if (unreachableMessage.test(e.message ?? '')) return true;
  }
  return false;
}

/**
 * The error as clients see it: an AppError as is; the database being away as SERVICE_UNAVAILABLE
 * (503, retry later); anything else masked as INTERNAL_ERROR.
 */
export function publicError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (isDatabaseUnavailable(err)) return new AppError('SERVICE_UNAVAILABLE', 'Database unavailable; try again shortly');
  return new AppError('INTERNAL_ERROR');
}

export function errorBody(err: AppError) {
  return { success: false as const, error: { code: err.code, message: err.message, ...err.details } };
}
