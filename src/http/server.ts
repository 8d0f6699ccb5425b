import http from 'node:http';
import type { Socket } from 'node:net';
import type { WebSocketServer, WebSocket } from 'ws';
import type { Metrics } from '../metrics.js';
import { sendJson } from './respond.js';

type Handle = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export interface HttpRoutes {
  metrics: Metrics;
  /** GraphQL over HTTP (/graphql). */
  graphql: Handle;
  /** Everything else: the REST router. */
  rest: Handle;
  /** WebSocket upgrades by path: the server and what runs each accepted socket. */
  upgrades: Record<string, { wss: WebSocketServer; run: (ws: WebSocket, req: http.IncomingMessage) => void }>;
  /** True once shutdown began: upgrades are refused with 503. */
  stopping(): boolean;
}

/**
 * The HTTP server: request dispatch (/livez, /metrics, /graphql, REST) and WebSocket upgrade
 * routing. This is the one place the http.Server is created.
 */
export function createHttpServer(routes: HttpRoutes): http.Server {
  const { metrics } = routes;
  const server = http.createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    res.once('finish', () =>
      metrics.httpRequests.inc({ method: req.method, status: `${Math.floor(res.statusCode / 100)}xx` }),
    );
    const path = req.url?.split('?', 1)[0];
    if (path === '/livez' && req.method === 'GET') {
      // Liveness: the process answers. Unlike /health it does not depend on the database, so an
      // orchestrator does not restart every instance during a database outage.
      sendJson(res, 200, { status: 'ok' });
      return;
    }
    if (path === '/metrics' && req.method === 'GET') {
      void metrics.registry.metrics().then((text) => {
        res.writeHead(200, { 'content-type': metrics.registry.contentType });
        res.end(text);
      });
      return;
    }
    if (path === '/graphql' || path === '/graphql/') {
      routes.graphql(req, res);
      return;
    }
    routes.rest(req, res);
  });

  server.on('upgrade', (req, socket: Socket, head) => {
    const path = req.url?.split('?', 1)[0] ?? '';
    const stopping = routes.stopping();
    const target = Object.hasOwn(routes.upgrades, path) ? routes.upgrades[path] : undefined;
    if (!target || stopping) {
      socket.end(
        `HTTP/1.1 ${stopping ? '503 Service Unavailable' : '404 Not Found'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
      );
      return;
    }
    target.wss.handleUpgrade(req, socket, head, (ws) => target.run(ws, req));
  });
  return server;
}
