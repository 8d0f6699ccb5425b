import { describe, expect, it } from 'vitest';
import { clientAddress, credentialsForSocket } from '../src/auth/credentials.js';

describe('where credentials and addresses come from', () => {
  const socket = { remoteAddress: '10.0.0.9' };

  it('uses the socket peer unless a proxy is trusted, then the hop that proxy saw', () => {
    const headers = { 'x-forwarded-for': '6.6.6.6, 203.0.113.7' };
    expect(clientAddress({ headers, socket }, false)).toBe('10.0.0.9');
    // The client wrote 6.6.6.6 itself; the proxy appended the address it saw.
    expect(clientAddress({ headers, socket }, true)).toBe('203.0.113.7');
    expect(clientAddress({ headers: {}, socket }, true)).toBe('10.0.0.9');
  });

  it('prefers connection params, then headers, then the query string on sockets', () => {
    const request = {
      headers: { 'x-api-key': 'header-key', 'x-user-id': 'header-user' },
      url: '/ws?api_key=query-key&user_id=query-user',
    };
    expect(credentialsForSocket(request, { apiKey: 'param-key', userId: 'param-user' })).toMatchObject({
      apiKey: 'param-key',
      userId: 'param-user',
    });
    expect(credentialsForSocket(request, null)).toMatchObject({ apiKey: 'header-key', userId: 'header-user' });
    expect(credentialsForSocket({ headers: {}, url: request.url }, undefined)).toMatchObject({
      apiKey: 'query-key',
      userId: 'query-user',
    });
  });
});
