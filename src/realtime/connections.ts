import type { WebSocket } from 'ws';
import type { UserActor } from '../auth/session.js';
import type { Logger } from '../logger.js';
import type { Connection } from '../services/delivery.js';
import type { PresenceService } from '../services/presence.js';

/** WebSocket close codes ChatAPI uses, on both protocols. */
export const CloseCode = {
  /** Shutdown or restart: reconnect shortly. */
  ServiceRestart: 1012,
  /** The client did not read fast enough; reconnect and resume from the last seq. */
  SlowConsumer: 1013,
  /** Missing or invalid API key / user id. */
  Unauthorized: 4401,
  /** Valid key, but not allowed (tenant disabled). */
  Forbidden: 4403,
} as const;

export type Protocol = 'graphql-ws' | 'ws';

let nextId = 1;

/** One open WebSocket, whichever protocol it speaks. */
export class LiveConnection implements Connection {
  readonly id = nextId++;
  lastSeen = Date.now();
  user: UserActor | undefined;
  closed = false;
  /** Says goodbye the protocol's way (a frame, a close code); set by the protocol adapter. */
  onShutdown: (reconnectAfterMs: number) => void = () => this.close(CloseCode.ServiceRestart, 'service restart');

  private cleanups: Array<() => void> = [];

  constructor(
    readonly socket: WebSocket,
    readonly protocol: Protocol,
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

  send(text: string): void {
    if (!this.closed && this.socket.readyState === this.socket.OPEN) this.socket.send(text);
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
}

/**
 * Every open WebSocket of this instance: heartbeat, presence, shutdown, and closing the sockets of
 * a tenant or key that lost access.
 */
export class ConnectionRegistry {
  private readonly connections = new Set<LiveConnection>();
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(
    private readonly presence: PresenceService,
    private readonly logger: Logger,
    private readonly settings: HeartbeatSettings,
  ) {}

  open(socket: WebSocket, protocol: Protocol): LiveConnection {
    const connection = new LiveConnection(socket, protocol);
    this.connections.add(connection);
    const seen = () => (connection.lastSeen = Date.now());
    socket.on('pong', seen);
    socket.on('message', seen);
    socket.on('error', (err) => this.logger.debug({ err }, 'WebSocket error'));
    socket.once('close', () => {
      connection.ended();
      this.connections.delete(connection);
      const user = connection.user;
      if (user) {
        this.presence.disconnected(user.tenantId, user.userId).catch((err) => this.logger.error({ err }, 'Presence update failed'));
      }
    });
    return connection;
  }

  /** The connection now acts for `user`: counts towards their presence. */
  async authenticated(connection: LiveConnection, user: UserActor): Promise<void> {
    if (connection.closed) return;
    connection.user = user;
    await this.presence.connected(user.tenantId, user.userId);
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
  }

  /** Closes every socket acting for the tenant (or only for one of its keys). */
  closeFor(match: { tenantId: string; keyId?: string }, code: number, reason: string): number {
    let closed = 0;
    for (const connection of this.connections) {
      const user = connection.user;
      if (user && user.tenantId === match.tenantId && (!match.keyId || user.keyId === match.keyId)) {
        connection.close(code, reason);
        closed += 1;
      }
    }
    return closed;
  }

  /** Tells every peer the server is going away, the way its protocol says it. */
  shutdown(reconnectAfterMs: number): void {
    clearInterval(this.heartbeat);
    for (const connection of this.connections) connection.onShutdown(reconnectAfterMs);
  }

  /** Cuts whatever is still open. */
  terminateAll(): void {
    for (const connection of this.connections) connection.socket.terminate();
  }

  get size(): number {
    return this.connections.size;
  }

  /** Open connections per tenant (for usage figures). */
  countByTenant(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const { user } of this.connections) if (user) counts.set(user.tenantId, (counts.get(user.tenantId) ?? 0) + 1);
    return counts;
  }
}
