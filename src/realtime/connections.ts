import type { WebSocket } from 'ws';
import { AppError, CloseCode, publicError } from '../errors.js';
import type { Authenticator } from '../auth/authenticator.js';
import type { UserActor } from '../auth/session.js';
import type { EventBus } from '../events/bus.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { Connection } from '../services/eventQueue.js';
import type { PresenceService } from '../services/presence.js';
import type { UsageService } from '../services/usage.js';

/** WebSocket close codes ChatAPI uses, on both protocols (defined with the error table). */
export { CloseCode };

export type Protocol = 'graphql-ws' | 'ws';

/**
 * Closes a connection whose authentication failed, with the code that tells the client what to
 * do: 4401 fix the credentials, 4403 not allowed, 1013 try again later (database away), 1011 bug.
 */
export function refuseConnection(connection: LiveConnection, err: unknown): void {
  const error = publicError(err);
  const code = error.row.closeCode;
  connection.close(code, error.message);
}

let nextId = 1;

/** One open WebSocket, whichever protocol it speaks. */
export class LiveConnection implements Connection {
  readonly id = nextId++;
  lastSeen = Date.now();
  user: UserActor | undefined;
  closed = false;
  /** Operations running on the socket (graphql-ws subscriptions); set by the protocol adapter. */
  activeSubscriptions: () => number = () => 0;
  /** Says goodbye the protocol's way (a frame, a close code); set by the protocol adapter. */
  onShutdown: (reconnectAfterMs: number) => void = () => this.close(CloseCode.ServiceRestart, 'service restart');

  private cleanups: Array<() => void> = [];

  constructor(
    readonly socket: WebSocket,
    readonly protocol: Protocol,
    readonly maxBufferedBytes: number,
  ) {}

  /** Runs `cleanup` when the connection ends (at once if it already has). */
  onClose(cleanup: () => void): void {
    if (this.closed) cleanup();
    else this.cleanups.push(cleanup);
  }

  /** Marks the connection ended and runs its cleanups once. */
  ended(): void {
    this.closed = true;
    for (const cleanup of this.cleanups.splice(0)) cleanup();
  }

  private corked = false;

  /**
   * Frames sent in one synchronous burst (a batch of messages fanned out) leave in one write: the
   * socket is corked at the first and uncorked once the burst is over.
   */
  send(text: string): void {
    if (this.closed || this.socket.readyState !== this.socket.OPEN) return;
    const raw = (this.socket as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
    if (raw && !this.corked) {
      this.corked = true;
      raw.cork();
      queueMicrotask(() => {
        this.corked = false;
        raw.uncork();
      });
    }
    this.socket.send(text);
  }

  bufferedAmount(): number {
    return this.socket.bufferedAmount;
  }

  async drained(bytes: number): Promise<void> {
    while (!this.closed && this.socket.bufferedAmount > bytes) await new Promise((r) => setTimeout(r, 10));
  }

  closeSlowConsumer(): void {
    this.close(CloseCode.SlowConsumer, 'slow consumer');
  }

  /**
   * Sends a close frame and sends nothing more. The frame waits behind whatever is still buffered
   * (a slow consumer sees it once it reads again); `ws` cuts a peer that does not answer in 30 s.
   */
  close(code: number, reason: string): void {
    if (this.closed) return;
    this.ended();
    try {
      this.socket.close(code, reason);
    } catch {
      this.socket.terminate();
    }
  }
}

export interface HeartbeatSettings {
  pingIntervalMs: number;
  idleTimeoutMs: number;
  /** Every socket's budget of unsent bytes (see Connection.maxBufferedBytes). */
  maxBufferedBytes: number;
}

/** What one tenant or user may hold open on this instance (see Config['connectionLimits']). */
export interface WebSocketLimits {
  maxWebSocketsPerTenant: number;
  maxWebSocketsPerUser: number;
  webSocketAuthTimeoutMs: number;
  maxSubscriptionsPerSocket: number;
  maxSubscriptionsPerUser: number;
}

const tooMany = (message: string) => new AppError('RATE_LIMIT_EXCEEDED', message);

/** How often open sockets are checked against their key (rotation grace periods ending). */
const RECHECK_INTERVAL_MS = 1_000;

/**
 * Every open WebSocket of this instance: heartbeat, presence, usage, shutdown, and closing the
 * sockets whose key stopped working (revoked, expired after a rotation, tenant disabled or
 * deleted), at once when any instance announces a change and at the latest a second later.
 */
export class ConnectionRegistry {
  private readonly connections = new Set<LiveConnection>();
  private heartbeat: NodeJS.Timeout | undefined;
  private rechecker: NodeJS.Timeout | undefined;
  /** Authenticated connections per tenant, and per user (`tenantId` NUL `userId`). */
  private readonly byTenant = new Map<string, number>();
  private readonly byUser = new Map<string, Set<LiveConnection>>();

  constructor(
    private readonly auth: Authenticator,
    private readonly presence: PresenceService,
    private readonly usage: UsageService,
    private readonly metrics: Metrics,
    bus: EventBus,
    private readonly logger: Logger,
    private readonly settings: HeartbeatSettings,
    private readonly limits: WebSocketLimits,
  ) {
    bus.subscribe('cache', 'all', (event) => {
      if (event.type === 'tenant') void this.recheck(event.tenantId);
    });
  }

  /** Closes the sockets (of one tenant, or all) whose key no longer works. */
  async recheck(tenantId?: string): Promise<void> {
    for (const connection of this.connections) {
      const user = connection.user;
      if (!user || connection.closed || (tenantId && user.tenantId !== tenantId)) continue;
      const refusal = await this.auth.recheck(user).catch(() => null);
      if (refusal) {
        connection.close(
          refusal.code === 'AUTHORIZATION_ERROR' ? CloseCode.Forbidden : CloseCode.Unauthorized,
          refusal.message,
        );
      }
    }
  }

  open(socket: WebSocket, protocol: Protocol): LiveConnection {
    const connection = new LiveConnection(socket, protocol, this.settings.maxBufferedBytes);
    this.connections.add(connection);
    this.metrics.webSockets.inc({ protocol });
    const seen = () => (connection.lastSeen = Date.now());
    socket.on('pong', seen);
    socket.on('message', seen);
    socket.on('error', (err) => this.logger.debug({ err }, 'WebSocket error'));
    // An upgraded socket that never authenticates must not be held open (graphql-ws has its own
    // connection_init deadline too; this one covers both protocols).
    const authDeadline = setTimeout(() => {
      if (!connection.user) connection.close(CloseCode.AuthTimeout, 'Connection initialisation timeout');
    }, this.limits.webSocketAuthTimeoutMs);
    authDeadline.unref();
    socket.once('close', () => {
      clearTimeout(authDeadline);
      connection.ended();
      this.connections.delete(connection);
      this.metrics.webSockets.dec({ protocol });
      const user = connection.user;
      if (user) {
        this.forget(connection, user);
        this.usage.connectionClosed(user.tenantId);
        this.presence
          .disconnected(user.tenantId, user.userId)
          .catch((err) => this.logger.error({ err }, 'Presence update failed'));
      }
    });
    return connection;
  }

  /** The connection now acts for `user`: counts towards their presence. */
  async authenticated(connection: LiveConnection, user: UserActor): Promise<void> {
    if (connection.closed) return;
    const userKey = `${user.tenantId}\u0000${user.userId}`;
    const ofUser = this.byUser.get(userKey) ?? new Set<LiveConnection>();
    if (ofUser.size >= this.limits.maxWebSocketsPerUser) {
      throw tooMany(`Too many WebSocket connections for this user (at most ${this.limits.maxWebSocketsPerUser})`);
    }
    const ofTenant = this.byTenant.get(user.tenantId) ?? 0;
    if (ofTenant >= this.limits.maxWebSocketsPerTenant) {
      throw tooMany(`Too many WebSocket connections for this tenant (at most ${this.limits.maxWebSocketsPerTenant})`);
    }
    ofUser.add(connection);
    this.byUser.set(userKey, ofUser);
    this.byTenant.set(user.tenantId, ofTenant + 1);
    connection.user = user;
    this.usage.connectionOpened(user.tenantId);
    await this.presence.connected(user.tenantId, user.userId);
  }

  private forget(connection: LiveConnection, user: UserActor): void {
    const userKey = `${user.tenantId}\u0000${user.userId}`;
    const ofUser = this.byUser.get(userKey);
    ofUser?.delete(connection);
    if (ofUser?.size === 0) this.byUser.delete(userKey);
    const ofTenant = (this.byTenant.get(user.tenantId) ?? 1) - 1;
    if (ofTenant > 0) this.byTenant.set(user.tenantId, ofTenant);
    else this.byTenant.delete(user.tenantId);
  }

  /**
   * Whether one more subscription may run on `connection` (already counted in its active ones):
   * null if so, else the coded error to answer it with.
   */
  subscriptionRefusal(connection: LiveConnection): AppError | null {
    const { maxSubscriptionsPerSocket, maxSubscriptionsPerUser } = this.limits;
    if (connection.activeSubscriptions() > maxSubscriptionsPerSocket) {
      return tooMany(`Too many subscriptions on this socket (at most ${maxSubscriptionsPerSocket})`);
    }
    const user = connection.user;
    if (!user) return null;
    let ofUser = 0;
    for (const other of this.byUser.get(`${user.tenantId}\u0000${user.userId}`) ?? [])
      ofUser += other.activeSubscriptions();
    if (ofUser > maxSubscriptionsPerUser)
      return tooMany(`Too many subscriptions for this user (at most ${maxSubscriptionsPerUser})`);
    return null;
  }

  startHeartbeat(): void {
    this.heartbeat = setInterval(() => {
      const silentSince = Date.now() - this.settings.idleTimeoutMs;
      for (const connection of this.connections) {
        if (connection.lastSeen < silentSince) {
          this.logger.debug({ connection: connection.id }, 'Dropping a silent WebSocket peer');
          connection.ended();
          connection.socket.terminate();
        } else if (connection.socket.readyState === connection.socket.OPEN) {
          connection.socket.ping();
        }
      }
    }, this.settings.pingIntervalMs);
    this.heartbeat.unref();
    this.rechecker = setInterval(() => void this.recheck(), RECHECK_INTERVAL_MS);
    this.rechecker.unref();
  }

  /** Tells every peer the server is going away, the way its protocol says it. */
  shutdown(reconnectAfterMs: number): void {
    clearInterval(this.heartbeat);
    clearInterval(this.rechecker);
    for (const connection of this.connections) connection.onShutdown(reconnectAfterMs);
  }

  /** Cuts whatever is still open. */
  terminateAll(): void {
    for (const connection of this.connections) connection.socket.terminate();
  }

  get size(): number {
    return this.connections.size;
  }
}
