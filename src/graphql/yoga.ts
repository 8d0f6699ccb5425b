import type { IncomingMessage, ServerResponse } from 'node:http';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { credentialsFromHeaders } from '../auth/credentials.js';
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
export function createGraphQLServer(services: Services, logger: Logger): GraphQLServer {
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
    // Over WebSocket the connection authenticated once and passes its session in; over HTTP
    // every request authenticates from its headers. Same path (services.auth) either way.
    context: async (initial) => {
      const { session, connection } = initial as Partial<GraphQLContext>;
      return {
        session: session ?? (await services.auth.authenticate(credentialsFromHeaders((name) => initial.request.headers.get(name)))),
        services,
        connection,
      };
    },
    plugins: [useErrorCodes(logger)],
  });
}
