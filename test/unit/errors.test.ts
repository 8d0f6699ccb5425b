import { describe, expect, it } from 'vitest';
import {
  AppError,
  CloseCode,
  errorBody,
  errorCodes,
  isDatabaseUnavailable,
  publicError,
  rateLimited,
  type ErrorCode,
} from '../../src/errors.js';
import { toGraphQLError } from '../../src/graphql/errors.js';

describe('the error table', () => {
  it('gives every code an HTTP status, a message, a request level and a close code', () => {
    for (const [code, row] of Object.entries(errorCodes)) {
      expect(row.status, code).toBeGreaterThanOrEqual(400);
      expect(row.message, code).not.toBe('');
      expect(typeof row.requestLevel, code).toBe('boolean');
      expect(Object.values(CloseCode), code).toContain(row.closeCode);
    }
  });

  it('carries the HTTP status of request-level codes into GraphQL errors, and only theirs', () => {
    for (const code of Object.keys(errorCodes) as ErrorCode[]) {
      const error = toGraphQLError(new AppError(code));
      expect(error.extensions.code).toBe(code);
      expect((error.extensions.http as { status?: number } | undefined)?.status).toBe(
        errorCodes[code].requestLevel ? errorCodes[code].status : undefined,
      );
    }
  });

  it('makes retryAfter part of the error: Retry-After on every wire', () => {
    const error = rateLimited(3);
    expect(error.retryAfter).toBe(3);
    expect(error.status).toBe(429);
    expect(error.headers).toEqual({ 'Retry-After': '3' });
    expect(toGraphQLError(error).extensions.http).toEqual({ status: 429, headers: { 'Retry-After': '3' } });
    expect(new AppError('NOT_FOUND').headers).toEqual({});
  });

  it('says the database is away (503) for locked, read-only, missing and shut-down databases', () => {
    const away = [
      { code: 'SQLITE_BUSY' },
      { code: 'SQLITE_READONLY', message: 'attempt to write a readonly database' },
      { code: 'SQLITE_CANTOPEN' },
      { message: 'terminating connection due to administrator command', code: '57P01' },
      { code: '57P03' },
      { code: '25006', message: 'cannot execute INSERT in a read-only transaction' },
      { message: 'wrapped', cause: { code: 'SQLITE_READONLY' } },
      { message: 'adapter', meta: { driverAdapterError: { cause: { kind: 'postgres', originalCode: '57P01' } } } },
    ];
    for (const err of away) {
      expect(isDatabaseUnavailable(err), JSON.stringify(err)).toBe(true);
      expect(publicError(err).status).toBe(503);
    }
    expect(isDatabaseUnavailable(new Error('Unique constraint failed'))).toBe(false);
    expect(publicError(new Error('boom')).code).toBe('INTERNAL_ERROR');
  });

  it('shapes REST bodies from the same row', () => {
    expect(errorBody(new AppError('VALIDATION_ERROR', 'bad', { field: 'x' }))).toEqual({
      success: false,
      error: { code: 'VALIDATION_ERROR', message: 'bad', field: 'x' },
    });
  });
});
