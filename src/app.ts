import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Authenticator } from './auth/authenticator.js';
import type { Config } from './config.js';
import { createDatabase } from './db/database.js';
import { createEventBus } from './events/bus.js';
import { createGraphQLServer } from './graphql/yoga.js';
import { createLogger, type Logger } from './logger.js';
import { checkDeclaredLength, sendError } from './rest/http.js';
import { createRestRouter } from './rest/routes.js';
import { HealthService } from './services/health.js';
import type { Services } from './services/index.js';
import { MessageService } from './services/messages.js';
import { RoomService } from './services/rooms.js';
import { TenantService } from './services/tenants.js';

export interface App {
  readonly config: Config;
  readonly logger: Logger;
  readonly services: Services;
  /** Migrates the database and listens. Resolves with the bound address. */
  start(): Promise<{ port: number; url: string }>;
  /** Stops accepting, finishes in-flight writes, closes the database. */
  stop(): Promise<void>;
}

/** The composition root: wires database, event bus, services and transports; starts nothing. */
export function buildApp(config: Config, options: { logger?: Logger } = {}): App {
  const logger = options.logger ?? createLogger(config.logLevel);
  const db = createDatabase(config.database, logger);
  const bus = createEventBus(undefined, (err) => logger.error({ err }, 'Event listener failed'));

  const auth = new Authenticator(db, bus, logger, config.masterApiKey);
  const rooms = new RoomService(db, bus, logger);
  const services: Services = {
    auth,
    tenants: new TenantService(db, logger),
    rooms,
    messages: new MessageService(db, bus, rooms, logger, config.maxMessageBytes),
    health: new HealthService(db, logger),
  };

  const graphql = createGraphQLServer(services, logger);
  const rest = createRestRouter(services, logger, config.maxBodyBytes);
  const server = http.createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    const path = req.url?.split('?', 1)[0];
    if (path === '/graphql' || path === '/graphql/') {
      try {
        checkDeclaredLength(req, config.maxBodyBytes);
      } catch (err) {
        sendError(res, err, logger);
        return;
      }
      void graphql(req, res, { req, res });
      return;
    }
    rest.lookup(req, res);
  });

  return {
    config,
    logger,
    services,
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
      const { port, address, family } = server.address() as AddressInfo;
      const host = family === 'IPv6' ? `[${address === '::' ? '::1' : address}]` : address === '0.0.0.0' ? '127.0.0.1' : address;
      const url = `http://${host}:${port}`;
      logger.info({ url, database: config.database.provider }, 'ChatAPI listening');
      return { port, url };
    },
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await services.messages.idle();
      server.closeAllConnections();
      await closed;
      await bus.close();
      await db.close();
      logger.info('ChatAPI stopped');
    },
  };
}
