import type { GraphQLField } from 'graphql';

/**
 * Field extension for a field whose value depends on who asks (`isMine`, unread counts, "reacted
 * by me"): `t.boolean({ extensions: viewerDependent, resolve })`.
 *
 * Subscriptions share one execution and one serialised payload per event across subscribers with
 * the same selection (realtime/sharedSubscriptions.ts). A document that selects any field marked
 * so is never shared: each subscriber's payload is executed with its own context.
 */
export const viewerDependent = { viewerDependent: true } as const;

/** Whether a schema field was declared with {@link viewerDependent}. */
export const isViewerDependent = (field: GraphQLField<unknown, unknown>): boolean =>
  field.extensions?.viewerDependent === true;
