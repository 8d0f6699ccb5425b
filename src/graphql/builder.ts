import SchemaBuilder from '@pothos/core';
import { DateTimeResolver, JSONResolver } from 'graphql-scalars';
import type { Session } from '../auth/session.js';
import type { Connection } from '../services/eventQueue.js';
import type { Services } from '../services/index.js';

/** Built once per operation by the one authentication path. */
export interface GraphQLContext {
  session: Session;
  services: Services;
  /** The WebSocket an operation runs on (absent over HTTP): subscriptions use it for flow control. */
  connection?: Connection;
}

export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  DefaultFieldNullability: false;
  Scalars: {
    DateTime: { Input: Date; Output: Date | string };
    JSON: { Input: unknown; Output: unknown };
  };
}>({ defaultFieldNullability: false });

builder.addScalarType('DateTime', DateTimeResolver);
builder.addScalarType('JSON', JSONResolver);
builder.queryType();
builder.mutationType();
builder.subscriptionType();
