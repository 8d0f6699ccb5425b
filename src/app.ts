import type { AddressInfo } from 'node:net';
import { handleProtocols } from 'graphql-ws';
import { WebSocketServer } from 'ws';
import { Authenticator } from './auth/authenticator.js';
import type { Config } from './config.js';
import { createDatabase, type Database } from './db/database.js';
import { MessageStore } from './db/messageStore.js';
import { createGraphQLHttp } from './graphql/yoga.js';
import { applyConnectionLimits } from './http/connectionLimits.js';
import { createAdmission } from './http/admission.js';
import { createHttpServer } from './http/server.js';
import { createLogger, type Logger } from './logger.js';
import { createMetrics } from './metrics.js';
import { ConnectionRegistry } from './realtime/connections.js';
import { createGraphQLWsHandler } from './realtime/graphqlWs.js';
import { createLegacyWsHandler } from './realtime/legacyWs.js';
import { registerAdminRoutes } from './rest/admin.js';
import { createRestRouter } from './rest/router.js';
import { registerRoutes } from './rest/routes.js';
import { DeliveryService } from './services/delivery/index.js';
import { HealthService } from './services/health.js';
import type { Services } from './services/index.js';
import { MessageService } from './services/messages.js';
import { NotificationService } from './services/notifications.js';
import { PresenceService } from './services/presence.js';
import { RoomService } from './services/rooms.js';
import { TenantService } from './services/tenants.js';
import { TypingService } from './services/typing.js';
import { RateLimitService } from './services/rateLimits.js';
import { UsageService } from './services/usage.js';
import { createStores } from './stores.js';

export interface App {
  readonly config: Config;
  readonly logger: Logger;
  readonly services: Services;
  readonly connections: ConnectionRegistry;
  /** The database (tests and tools read it directly; services own every write). */
  readonly db: Database;
  /** Migrates the database and listens. Resolves with the bound address. */
  start(): Promise<{ port: number; url: string }>;
  /**
   * Graceful shutdown: stops accepting, tells every socket to reconnect later, finishes in-flight
   * writes, closes the database; whatever is still open after SHUTDOWN_DRAIN_TIMEOUT is cut.
   */
  stop(): Promise<void>;
}

/** How long clients are asked to wait before reconnecting after a shutdown. */
const RECONNECT_AFTER_MS = 1_000;

/** The composition root: wires database, event bus, services and transports; starts nothing. */
export function buildApp(config: Config, options: { logger?: Logger } = {}): App {
  const logger = options.logger ?? createLogger(config.logLevel);
  const db = createDatabase(config.database, logger);
  const { bus, redisBus, presenceStore, rateLimitStore, redis } = createStores(config, logger);
  const metrics = createMetrics();

  const auth = new Authenticator(db, bus, logger, config.masterApiKey);
  const rooms = new RoomService(db, bus, logger);
  const presence = new PresenceService(db, bus, presenceStore, logger, config.realtime.presenceGraceMs);
  const usage = new UsageService(db, logger);
  // One store, one page cache: REST/GraphQL history and delivery's catch-up read through it.
  const messageStore = new MessageStore(db);
  const services: Services = {
    auth,
    tenants: new TenantService(db, bus, logger, config.defaultRateLimit),
    rooms,
    messages: new MessageService(db, messageStore, bus, rooms, usage, metrics, logger, config.maxMessageBytes),
    health: new HealthService(db, logger, redisBus && (() => redisBus.healthy())),
    delivery: new DeliveryService(db, messageStore, bus, rooms, logger),
    presence,
    typing: new TypingService(bus, rooms, config.realtime.typingTimeoutMs),
    notifications: new NotificationService(db, bus, rooms, logger, {
      ...config.notifications,
      maxPayloadBytes: config.maxMessageBytes,
    }),
    limits: new RateLimitService(rateLimitStore, usage, metrics, config.defaultRateLimit, (user) =>
      auth.currentRateLimit(user),
    ),
    usage,
  };
  const connections = new ConnectionRegistry(
    auth,
    presence,
    usage,
    metrics,
    bus,
    logger,
    config.realtime,
    config.connectionLimits,
  );
  // Events published while Redis was away are lost: drop what they would have invalidated and let
  // every room feed catch up from storage, so subscribers get what was sent meanwhile.
  const resync = () => {
    auth.forgetAll();
    rooms.forgetAll();
    void services.delivery.resync().catch((err) => logger.error({ err }, 'Resync after Redis reconnect failed'));
    void connections.recheck();
  };
  redisBus?.onReconnect(() => {
    resync();
    // Events this instance could not publish meanwhile never reached the others: tell them too.
    bus.publish('cache', 'all', { type: 'resync' });
  });
  bus.subscribe('cache', 'all', (event) => {
    if (event.type === 'resync') resync();
  });

  const admit = createAdmission(services, {
    trustProxy: config.trustProxy,
    anonymousRateLimit: config.anonymousRateLimit,
  });
  const graphql = createGraphQLHttp(services, logger, {
    admit,
    maxBodyBytes: config.maxBodyBytes,
    graphqlLimits: config.graphqlLimits,
  });
  const rest = createRestRouter(admit, logger, { maxBodyBytes: config.maxBodyBytes }, [
    (on) => registerRoutes(on, services),
    (on) => registerAdminRoutes(on, services),
  ]);

  // WebSockets: GraphQL (graphql-transport-ws) on /graphql, the original protocol on /ws.
  const wsOptions = { noServer: true, perMessageDeflate: false, maxPayload: 4 * config.maxBodyBytes };
  const graphqlWss = new WebSocketServer({ ...wsOptions, handleProtocols });
  const legacyWss = new WebSocketServer(wsOptions);
  const graphqlWs = createGraphQLWsHandler(graphql.yoga, services, connections, logger, config.trustProxy);
  const legacyWs = createLegacyWsHandler(services, connections, logger, {
    maxFrameBytes: config.maxBodyBytes,
    trustProxy: config.trustProxy,
  });
  let stopping = false;
  const server = createHttpServer({
    metrics,
    graphql: graphql.handle,
    rest: (req, res) => rest.lookup(req, res),
    upgrades: { '/graphql': { wss: graphqlWss, run: graphqlWs }, '/ws': { wss: legacyWss, run: legacyWs } },
    stopping: () => stopping,
  });
  applyConnectionLimits(server, config.connectionLimits.http, logger, config.trustProxy);

  return {
    config,
    logger,
    services,
    connections,
    db,
    async start() {
      await db.migrate();
      if (!config.masterApiKey) logger.warn('MASTER_API_KEY is not set: the admin API is disabled');
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.listen.port, config.listen.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      connections.startHeartbeat();
      services.notifications.startWorker();
      usage.start();
      presence.start();
      const { port, address, family } = server.address() as AddressInfo;
      const host =
        family === 'IPv6' ? `[${address === '::' ? '::1' : address}]` : address === '0.0.0.0' ? '127.0.0.1' : address;
      const url = `http://${host}:${port}`;
      // What the socket is bound to; `url` is only a local address to click.
      const listening =
        address === '::'
          ? `0.0.0.0:${port} and [::]:${port} (all interfaces)`
          : address === '0.0.0.0'
            ? `0.0.0.0:${port} (all IPv4 interfaces)`
            : family === 'IPv6'
              ? `[${address}]:${port}`
              : `${address}:${port}`;
      logger.info({ listening, url, database: config.database.provider }, 'ChatAPI listening');
      return { port, url };
    },
    async stop() {
      if (stopping) return;
      stopping = true;
      // Everything below shares one budget: SHUTDOWN_DRAIN_TIMEOUT, most of it for draining and
      // the rest (at least a second) for closing up.
      const startedAt = Date.now();
      const budget = config.shutdownDrainTimeoutMs;
      // Keeps the process alive until shutdown is done: every other timer here is unref'd, and
      // with the listener closed Node would otherwise exit half-way, skipping the last flushes.
      const keepAlive = setTimeout(() => {}, budget + 1_000);
      const within = <T>(work: Promise<T>, ms: number) =>
        Promise.race([
          work.then(() => 'done' as const),
          new Promise<'timeout'>((r) => setTimeout(r, Math.max(0, ms), 'timeout').unref()),
        ]);
      const httpClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive connections become idle as their last request finishes: close them as they do.
      const closeIdle = setInterval(() => server.closeIdleConnections(), 50);
      server.closeIdleConnections();
      connections.shutdown(RECONNECT_AFTER_MS);
      const drained = (async () => {
        await services.messages.idle();
        await services.notifications.stopWorker();
        await httpClosed;
      })();
      if ((await within(drained, budget - Math.min(1_000, budget / 4))) === 'timeout') {
        logger.warn({ open_sockets: connections.size }, 'Shutdown drain timed out; closing what is left');
      }
      clearInterval(closeIdle);
      server.closeAllConnections();
      connections.terminateAll();
      graphqlWss.close();
      legacyWss.close();
      services.delivery.close();
      services.typing.close();
      const closed = (async () => {
        await services.presence.close();
        await services.messages.idle();
        await usage.stop();
        await bus.close();
        redis?.disconnect();
        await db.close();
      })();
      if ((await within(closed, budget - (Date.now() - startedAt))) === 'timeout') {
        logger.warn('Shutdown: closing the database and Redis took too long; leaving it to the process exit');
      }
      clearTimeout(keepAlive);
      logger.info('ChatAPI stopped');
    },
  };
}
