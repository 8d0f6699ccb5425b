import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from '../logger.js';

/** How many connections the HTTP server holds, and how long a client may take to send a request. */
export interface ConnectionLimits {
  /** Open TCP connections (HTTP and WebSocket) across all clients. @default 4000 */
  maxConnections: number;
  /**
   * Open TCP connections from one address. Not applied with TRUST_PROXY (every connection then
   * comes from the proxy, which must cap per client itself). @default 256
   */
  maxConnectionsPerAddress: number;
  /** A request's headers must arrive within this (slowloris). @default 10000 */
  headersTimeoutMs: number;
  /** A whole request, body included, must arrive within this. @default 30000 */
  requestTimeoutMs: number;
  /** A request body that stops arriving for this long is cut. @default 10000 */
  bodyIdleTimeoutMs: number;
}

/** Answers a connection refused before its request was read, then closes it. */
function refuse(socket: Socket, status: string, code: string, message: string): void {
  const body = JSON.stringify({ success: false, error: { code, message } });
  socket.end(
    `HTTP/1.1 ${status}\r\nConnection: close\r\nRetry-After: 1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  // A client that never reads its answer must not hold the socket open either.
  setTimeout(() => socket.destroy(), 1_000).unref();
}

/**
 * Bounds what slow or numerous clients can hold: a cap on connections in total and per address
 * (over it the connection is answered 503 or 429 and closed before its request is read), and
 * deadlines for a request's headers, its body going quiet, and the whole request (Node answers
 * 408 and closes). WebSocket caps per tenant and user live in the connection registry.
 */
export function applyConnectionLimits(
  server: Server,
  limits: ConnectionLimits,
  logger: Logger,
  trustProxy: boolean,
): void {
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  // Node checks the two deadlines above on this interval (30 s by default, too coarse for them); it
  // reads it when the server starts listening, so setting it here, before listen, takes effect.
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = Math.max(
    100,
    Math.min(1_000, Math.floor(limits.headersTimeoutMs / 4)),
  );

  let open = 0;
  const perAddress = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = trustProxy ? undefined : socket.remoteAddress;
    const fromAddress = address ? (perAddress.get(address) ?? 0) : 0;
    if (open >= limits.maxConnections) {
      logger.warn({ open }, 'Connection refused: MAX_CONNECTIONS reached');
      refuse(socket, '503 Service Unavailable', 'SERVICE_UNAVAILABLE', 'Too many connections; retry shortly');
      return;
    }
    if (address && fromAddress >= limits.maxConnectionsPerAddress) {
      logger.debug({ address }, 'Connection refused: MAX_CONNECTIONS_PER_ADDRESS reached');
      refuse(socket, '429 Too Many Requests', 'RATE_LIMIT_EXCEEDED', 'Too many connections from this address');
      return;
    }
    open += 1;
    if (address) perAddress.set(address, fromAddress + 1);
    socket.once('close', () => {
      open -= 1;
      if (!address) return;
      const left = (perAddress.get(address) ?? 1) - 1;
      if (left > 0) perAddress.set(address, left);
      else perAddress.delete(address);
    });
  });

  // A body that stops arriving: Node's own deadlines cover only the headers and the whole request.
  server.on('request', (req, res) => {
    if (req.complete) return;
    // Emitted on the request only while its body is still incomplete.
    req.setTimeout(limits.bodyIdleTimeoutMs, () => req.socket.destroy());
    // Once the body is in, a slow answer is not the client's fault: keep the socket.
    res.on('timeout', () => req.socket.setTimeout(0));
  });
}
