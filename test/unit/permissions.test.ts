import { describe, expect, it } from 'vitest';
import { permissions, roleMay, roomRoles, type Action } from '../../src/auth/permissions.js';
import { Session } from '../../src/auth/session.js';
import { AppError } from '../../src/errors.js';
import { inRestDialect, snakeCase } from '../../src/rest/dialect.js';
import { invalid } from '../../src/errors.js';

const user = new Session(
  { kind: 'user', tenantId: 'tenant_1', userId: 'alice', keyId: 'key_1', rateLimit: null },
  'Unauthorized',
);
const master = new Session({ kind: 'master' }, 'Admin API disabled: MASTER_API_KEY is not set');
const anonymous = new Session({ kind: 'anonymous' }, 'Unauthorized');

const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return err instanceof AppError ? { code: err.code, message: err.message } : err;
  }
  return 'allowed';
};

describe('the role table', () => {
  it('lets every room role read and post, and only owners and admins manage or edit others’ messages', () => {
    for (const role of roomRoles) {
      expect(roleMay('room:read', role)).toBe(true);
      expect(roleMay('room:post', role)).toBe(true);
    }
    for (const action of ['room:manage', 'message:edit'] as const) {
      expect(roleMay(action, 'owner')).toBe(true);
      expect(roleMay(action, 'admin')).toBe(true);
      expect(roleMay(action, 'member')).toBe(false);
    }
    expect(roleMay('room:read', 'stranger')).toBe(false);
  });

  it('gives every action exactly one kind of actor', () => {
    const byWho = Object.fromEntries(
      ['master', 'user', 'member'].map((w) => [
        w,
        (Object.keys(permissions) as Action[]).filter((a) => permissions[a].who === w).sort(),
      ]),
    );
    expect(byWho).toEqual({
      master: ['tenant:admin'],
      user: ['notification:receive', 'notification:send', 'room:create', 'tenant:read'],
      member: ['message:edit', 'room:manage', 'room:post', 'room:read'],
    });
  });
});

describe('Session.assert', () => {
  it('returns the user for user and room actions, and refuses the others with the documented texts', () => {
    expect(user.assert('room:create')).toMatchObject({ tenantId: 'tenant_1', userId: 'alice' });
    expect(user.assert('room:read')).toMatchObject({ userId: 'alice' });
    expect(refusal(() => user.assert('tenant:admin'))).toEqual({
      code: 'AUTHENTICATION_ERROR',
      message: 'Unauthorized',
    });
    expect(refusal(() => anonymous.assert('tenant:admin'))).toEqual({
      code: 'AUTHENTICATION_ERROR',
      message: 'Unauthorized',
    });
  });

  it('lets the master key administer but never act as a user, and keeps the admin refusal text it was built with', () => {
    expect(master.assert('tenant:admin')).toEqual({ kind: 'master' });
    for (const action of ['tenant:read', 'room:create', 'room:post', 'notification:send'] as const) {
      expect(refusal(() => master.assert(action))).toEqual({
        code: 'AUTHENTICATION_ERROR',
        message: 'Missing X-API-Key header',
      });
      expect(refusal(() => anonymous.assert(action))).toEqual({
        code: 'AUTHENTICATION_ERROR',
        message: 'Missing X-API-Key header',
      });
    }
    const disabled = new Session({ kind: 'anonymous' }, 'Admin API disabled: MASTER_API_KEY is not set');
    expect(refusal(() => disabled.assert('tenant:admin'))).toEqual({
      code: 'AUTHENTICATION_ERROR',
      message: 'Admin API disabled: MASTER_API_KEY is not set',
    });
  });
});

describe('the REST dialect of error fields', () => {
  it('renames camelCase fields and the message naming them, and leaves other names alone', () => {
    expect(snakeCase('clientMessageId')).toBe('client_message_id');
    expect(snakeCase('seq')).toBe('seq');
    expect(snakeCase('X-User-Id')).toBe('X-User-Id');
    const renamed = inRestDialect(invalid('clientMessageId must be a string', 'clientMessageId')) as AppError;
    expect([renamed.message, renamed.details]).toEqual([
      'client_message_id must be a string',
      { field: 'client_message_id' },
    ]);
    const nested = inRestDialect(invalid('targets.userIds[0] must not be empty', 'targets')) as AppError;
    expect([nested.message, nested.details]).toEqual(['targets.user_ids[0] must not be empty', { field: 'targets' }]);
    // What the client sent is quoted back as it was sent.
    const quoted = inRestDialect(invalid('members contains "aliceSmith" twice', 'members'));
    expect((quoted as AppError).message).toBe('members contains "aliceSmith" twice');
    const beyond = invalid("seq 4 is beyond the room's last_seq 3", 'seq');
    expect(inRestDialect(beyond)).toBe(beyond);
    const other = new Error('boom');
    expect(inRestDialect(other)).toBe(other);
  });
});
