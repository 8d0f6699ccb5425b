import type { IncomingMessage, ServerResponse } from 'node:http';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { clientAddress, credentialsFromHeaders } from '../auth/credentials.js';
import type { Session } from '../auth/session.js';
import { rateLimitExceeded, rateLimitHeaders, type RateLimitState } from '../services/rateLimits.js';
import type { Logger } from '../logger.js';
import type { Services } from '../services/index.js';
import type { GraphQLContext } from './builder.js';
import { toGraphQLError, useErrorCodes } from './errors.js';
import { schema } from './schema.js';

export interface ServerContext {
  req: IncomingMessage;
  res: ServerResponse;
}

export type GraphQLServer = YogaServerInstance<ServerContext, GraphQLContext>;

/** GraphQL over HTTP at /graphql (GraphiQL in a browser), with the context every operation gets. */
export function createGraphQLServer(services: Services, logger: Logger, trustProxy: boolean): GraphQLServer {
  // Where each HTTP request stands against its tenant's rate limit, for the response headers.
  const limits = new WeakMap<IncomingMessage, RateLimitState>();
  const authenticateHttp = async (request: Request, req: IncomingMessage): Promise<Session> => {
    const credentials = { ...credentialsFromHeaders((name) => request.headers.get(name)), address: clientAddress(req, trustProxy) };
    const session = await services.auth.authenticate(credentials);
    if (session.actor.kind === 'user') {
      const state = await services.limits.check(session);
      limits.set(req, state);
      if (state.retryAfter !== undefined) throw rateLimitExceeded(state.retryAfter);
    }
    return session;
  };
  return createYoga<ServerContext, GraphQLContext>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    // Every GraphQL error is already logged where it matters (toGraphQLError logs unexpected ones);
    // Yoga's own lines are only useful when debugging.
    logging: {
      debug: (...args) => logger.debug({ yoga: args.slice(1) }, String(args[0])),
      info: (...args) => logger.debug({ yoga: args.slice(1) }, String(args[0])),
      warn: (...args) => logger.debug({ yoga: args.slice(1) }, String(args[0])),
      error: (...args) => logger.debug({ yoga: args.slice(1) }, String(args[0])),
    },
    maskedErrors: { maskError: (error) => toGraphQLError(error, logger) },
    // Over WebSocket the connection authenticated once and passes its session in (each operation
    // is admitted where it starts); over HTTP every request authenticates from its headers and
    // is admitted here. Same path (services.auth, services.limits) either way.
    context: async (initial) => {
      const { session, connection } = initial as Partial<GraphQLContext>;
      return { session: session ?? (await authenticateHttp(initial.request, initial.req)), services, connection };
    },
    plugins: [
      useErrorCodes(logger),
      {
        onResponse({ response, serverContext }) {
          const req = (serverContext as Partial<ServerContext> | undefined)?.req;
          const state = req && limits.get(req);
          if (!state) return;
          // Retry-After comes with the RATE_LIMIT_EXCEEDED error itself.
          for (const [name, value] of Object.entries(rateLimitHeaders(state))) if (name !== 'Retry-After') response.headers.set(name, value);
        },
      },
    ],
  });
}
