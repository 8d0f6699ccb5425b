import { randomBytes } from 'node:crypto';

/** `room_x8Kd...`: a prefix saying what it is, then 16 random URL-safe characters (96 bits). */
export function newId(prefix: 'tenant' | 'key' | 'room' | 'msg' | 'ntf'): string {
  return `${prefix}_${randomBytes(12).toString('base64url')}`;
}

/** A tenant API key: `sk_` + 40 URL-safe characters (240 bits). Shown once, stored as a hash. */
export function newApiKey(): string {
  return `sk_${randomBytes(30).toString('base64url')}`;
}
