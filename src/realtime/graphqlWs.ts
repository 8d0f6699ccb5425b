import type { IncomingMessage } from 'node:http';
import { makeServer } from 'graphql-ws';
import type { WebSocket } from 'ws';
import { clientAddress, credentialsForSocket } from '../auth/credentials.js';
import type { Session } from '../auth/session.js';
import { toGraphQLError } from '../graphql/errors.js';
import type { GraphQLServer } from '../graphql/yoga.js';
import type { Logger } from '../logger.js';
import type { Services } from '../services/index.js';
import { refuseConnection, type ConnectionRegistry, type LiveConnection } from './connections.js';
import { sharingKey, subscribeShared, type EnvelopedArgs } from './sharedSubscriptions.js';

interface Extra {
  connection: LiveConnection;
  /** Yoga's pipeline bound to this connection's context, built once when it authenticated. */
  envelope?: ReturnType<GraphQLServer['getEnveloped']>;
  /** The context every operation on this connection runs with (built once: nothing in it is per operation). */
  context?: unknown;
  address: string | undefined;
  request: Pick<IncomingMessage, 'headers' | 'headersDistinct' | 'url'> | undefined;
  session?: Session;
}

/**
 * GraphQL over WebSocket (subprotocol graphql-transport-ws) on /graphql: graphql-ws' transport-
 * agnostic server, fed by our own socket glue so heartbeat, backpressure, presence and shutdown
 * work the same as on /ws. Operations run through `yoga.getEnveloped`, so they get the same
 * plugins, error masking and context as GraphQL over HTTP.
 */
export function createGraphQLWsHandler(
  yoga: GraphQLServer,
  services: Services,
  registry: ConnectionRegistry,
  logger: Logger,
  trustProxy: boolean,
) {
  // Subscriptions that share executions and payloads with others (see sharedSubscriptions.ts).
  const shared = new WeakMap<object, { key: string; id: string; connection: LiveConnection }>();
  const server = makeServer<Record<string, unknown> | undefined, Extra>({
    connectionInitWaitTimeout: 10_000,
    async onConnect(ctx) {
      const { connection, request, address } = ctx.extra;
      try {
        const session = await services.auth.authenticate(
          credentialsForSocket(request ?? { headers: {} }, ctx.connectionParams, address),
        );
        const user = session.requireUser();
        ctx.extra.session = session;
        connection.activeSubscriptions = () => Object.keys(ctx.subscriptions).length;
        // The upgrade request is no longer needed: do not keep it alive for the socket's lifetime.
        ctx.extra.request = undefined;
        // One pipeline and one context per connection rather than per operation: they hold nothing
        // operation-specific, and an idle subscription then costs a few hundred bytes, not kilobytes.
        ctx.extra.envelope = yoga.getEnveloped({ session, connection });
        ctx.extra.context = await ctx.extra.envelope.contextFactory();
        await registry.authenticated(connection, user);
        return true;
      } catch (err) {
        refuseConnection(connection, err);
        return false;
      }
    },
    async onSubscribe(ctx, id, payload) {
      // graphql-ws counts this operation among ctx.subscriptions already: refuse it past the caps.
      const tooMany = registry.subscriptionRefusal(ctx.extra.connection);
      if (tooMany) return [toGraphQLError(tooMany, logger)];
      // Every operation on the socket spends one point of the tenant's rate limit.
      try {
        await services.limits.admit(ctx.extra.session!);
      } catch (err) {
        return [toGraphQLError(err, logger)];
      }
      const { schema, execute, subscribe, parse, validate } = ctx.extra.envelope!;
      let document;
      try {
        document = parse(payload.query);
      } catch (err) {
        return [toGraphQLError(err, logger)];
      }
      const errors = validate(schema, document);
      if (errors.length > 0) return errors.map((e: unknown) => toGraphQLError(e, logger));
      const args = {
        schema,
        document,
        operationName: payload.operationName,
        variableValues: payload.variables,
        contextValue: ctx.extra.context,
        rootValue: { execute, subscribe },
      } as EnvelopedArgs;
      const key = sharingKey(args);
      if (key) shared.set(args, { key, id, connection: ctx.extra.connection });
      return args;
    },
    execute: (args) => (args as EnvelopedArgs).rootValue.execute(args) as never,
    subscribe: (args) => {
      const sharing = shared.get(args);
      if (sharing) return subscribeShared(args as EnvelopedArgs, sharing.key, sharing.id, sharing.connection, logger);
      return (args as EnvelopedArgs).rootValue.subscribe(args) as never;
    },
  });

  return function handle(socket: WebSocket, request: IncomingMessage): void {
    const connection = registry.open(socket, 'graphql-ws');
    const closed = server.opened(
      {
        protocol: socket.protocol,
        // Not awaited: flow control is the streams' job (they watch the socket's buffer).
        send: (data) => connection.send(data),
        close: (code, reason) => connection.close(code ?? 1000, reason ?? ''),
        onMessage: (cb) =>
          socket.on('message', (data) => {
            cb(String(data)).catch((err: unknown) => {
              logger.error({ err }, 'graphql-ws message handling failed');
              connection.close(4500, 'Internal server error');
            });
          }),
      },
      {
        connection,
        request: { headers: request.headers, headersDistinct: request.headersDistinct, url: request.url },
        address: clientAddress(request, trustProxy),
      },
    );
    socket.once('close', (code, reason) => void closed(code, String(reason)));
  };
}
