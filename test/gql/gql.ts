/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  mutation CreateTenant($name: String!) {\n    createTenant(name: $name) {\n      apiKey\n      tenant {\n        id\n        name\n        createdAt\n        disabled\n        rateLimit\n      }\n    }\n  }\n": typeof types.CreateTenantDocument,
    "\n  query Tenants {\n    tenants {\n      id\n      name\n    }\n  }\n": typeof types.TenantsDocument,
    "\n  mutation CreateRoom($input: CreateRoomInput!) {\n    createRoom(input: $input) {\n      id\n      type\n      uniqueKey\n      name\n      lastSeq\n      createdAt\n      members {\n        userId\n        role\n        joinedAt\n        deliveredSeq\n      }\n    }\n  }\n": typeof types.CreateRoomDocument,
    "\n  mutation SendMessage($roomId: ID!, $content: String!, $meta: JSON, $clientMessageId: String) {\n    sendMessage(roomId: $roomId, content: $content, meta: $meta, clientMessageId: $clientMessageId) {\n      id\n      roomId\n      senderId\n      seq\n      content\n      meta\n      clientMessageId\n      createdAt\n    }\n  }\n": typeof types.SendMessageDocument,
    "\n  query Messages($roomId: ID!, $afterSeq: Int, $beforeSeq: Int, $limit: Int) {\n    messages(roomId: $roomId, afterSeq: $afterSeq, beforeSeq: $beforeSeq, limit: $limit) {\n      seq\n      content\n    }\n  }\n": typeof types.MessagesDocument,
    "\n  mutation Ack($roomId: ID!, $seq: Int!) {\n    ack(roomId: $roomId, seq: $seq)\n  }\n": typeof types.AckDocument,
    "\n  mutation MarkRead($roomId: ID!, $seq: Int!) {\n    markRead(roomId: $roomId, seq: $seq)\n  }\n": typeof types.MarkReadDocument,
    "\n  query Cursors($id: ID!) {\n    room(id: $id) {\n      members {\n        userId\n        deliveredSeq\n        readSeq\n      }\n    }\n  }\n": typeof types.CursorsDocument,
    "\n  query Overview($id: ID!) {\n    health {\n      status\n      uptime\n      dbWritable\n    }\n    viewer {\n      tenantId\n      userId\n    }\n    room(id: $id) {\n      id\n      lastSeq\n      members {\n        userId\n        deliveredSeq\n      }\n    }\n    rooms {\n      id\n    }\n  }\n": typeof types.OverviewDocument,
    "\n  query IsolationRoom($id: ID!) {\n    room(id: $id) {\n      id\n    }\n    rooms {\n      id\n    }\n  }\n": typeof types.IsolationRoomDocument,
    "\n  query IsolationMessages($roomId: ID!) {\n    messages(roomId: $roomId) {\n      seq\n    }\n  }\n": typeof types.IsolationMessagesDocument,
    "\n  mutation IsolationSend($roomId: ID!) {\n    sendMessage(roomId: $roomId, content: \"intruder\") {\n      seq\n    }\n  }\n": typeof types.IsolationSendDocument,
    "\n  mutation IsolationAck($roomId: ID!) {\n    ack(roomId: $roomId, seq: 1)\n  }\n": typeof types.IsolationAckDocument,
    "\n  subscription Notifications($topics: [String!]) {\n    notifications(topics: $topics) {\n      id\n      topic\n      payload\n      createdAt\n    }\n  }\n": typeof types.NotificationsDocument,
    "\n  mutation Notify($input: NotifyInput!) {\n    notify(input: $input) {\n      id\n      topic\n      payload\n    }\n  }\n": typeof types.NotifyDocument,
    "\n  mutation AckNotification($id: ID!) {\n    ackNotification(id: $id)\n  }\n": typeof types.AckNotificationDocument,
    "\n  mutation Topic($topic: String!) {\n    subscribeTopic(topic: $topic)\n  }\n": typeof types.TopicDocument,
    "\n  mutation Untopic($topic: String!) {\n    unsubscribeTopic(topic: $topic)\n  }\n": typeof types.UntopicDocument,
    "\n  query LimitedViewer {\n    viewer {\n      userId\n    }\n  }\n": typeof types.LimitedViewerDocument,
    "\n  subscription LimitedWatch($roomId: ID!) {\n    messageAdded(roomId: $roomId) {\n      seq\n    }\n  }\n": typeof types.LimitedWatchDocument,
    "\n  subscription Watch($roomId: ID!, $afterSeq: Int) {\n    messageAdded(roomId: $roomId, afterSeq: $afterSeq) {\n      seq\n    }\n  }\n": typeof types.WatchDocument,
    "\n  subscription Inbox($after: [RoomCursorInput!]) {\n    inbox(after: $after) {\n      roomId\n      message {\n        seq\n        content\n      }\n    }\n  }\n": typeof types.InboxDocument,
    "\n  subscription RoomEvents($roomId: ID!) {\n    roomEvents(roomId: $roomId) {\n      __typename\n      ... on TypingEvent {\n        roomId\n        userId\n        typing\n      }\n      ... on PresenceEvent {\n        userId\n        status\n      }\n      ... on AckEvent {\n        roomId\n        userId\n        seq\n      }\n    }\n  }\n": typeof types.RoomEventsDocument,
    "\n  mutation SetTyping($roomId: ID!, $typing: Boolean!) {\n    setTyping(roomId: $roomId, typing: $typing)\n  }\n": typeof types.SetTypingDocument,
    "\n  mutation AckMessages($roomId: ID!, $seq: Int!) {\n    ack(roomId: $roomId, seq: $seq)\n  }\n": typeof types.AckMessagesDocument,
    "\n  subscription ClusterWatch($roomId: ID!, $afterSeq: Int) {\n    messageAdded(roomId: $roomId, afterSeq: $afterSeq) {\n      seq\n      content\n    }\n  }\n": typeof types.ClusterWatchDocument,
    "\n  subscription ClusterPresence($roomId: ID!) {\n    roomEvents(roomId: $roomId) {\n      __typename\n      ... on PresenceEvent {\n        userId\n        status\n      }\n    }\n  }\n": typeof types.ClusterPresenceDocument,
    "\n  subscription MineAdded($roomId: ID!) {\n    messageAdded(roomId: $roomId) {\n      seq\n      senderId\n      isMine\n    }\n  }\n": typeof types.MineAddedDocument,
    "\n  subscription MineInbox {\n    inbox {\n      roomId\n      message {\n        ...MineFields\n      }\n    }\n  }\n  fragment MineFields on Message {\n    seq\n    isMine\n  }\n": typeof types.MineInboxDocument,
    "\n  subscription MessageAdded($roomId: ID!, $afterSeq: Int) {\n    messageAdded(roomId: $roomId, afterSeq: $afterSeq) {\n      id\n      roomId\n      senderId\n      seq\n      content\n      meta\n      clientMessageId\n      createdAt\n    }\n  }\n": typeof types.MessageAddedDocument,
    "\n  subscription WithDefault($roomId: ID!, $show: Boolean = true) {\n    messageAdded(roomId: $roomId) {\n      seq\n      content @include(if: $show)\n    }\n  }\n": typeof types.WithDefaultDocument,
    "\n  subscription SeqOnly($roomId: ID!, $withContent: Boolean!) {\n    messageAdded(roomId: $roomId) {\n      seq\n      content @include(if: $withContent)\n    }\n  }\n": typeof types.SeqOnlyDocument,
    "\n  mutation Rotate($tenantId: ID!, $grace: Int) {\n    rotateTenantKey(tenantId: $tenantId, graceSeconds: $grace) {\n      apiKey\n      keyId\n      createdAt\n    }\n  }\n": typeof types.RotateDocument,
    "\n  query AdminView($id: ID!) {\n    tenant(id: $id) {\n      id\n      name\n      rateLimit\n      effectiveRateLimit\n      disabled\n      keyCount\n    }\n    tenantKeys(tenantId: $id) {\n      id\n      prefix\n      revokedAt\n      expiresAt\n    }\n    tenantUsage(tenantId: $id) {\n      date\n      apiRequests\n    }\n  }\n": typeof types.AdminViewDocument,
    "\n  mutation UpdateTenant($id: ID!, $input: UpdateTenantInput!) {\n    updateTenant(id: $id, input: $input) {\n      name\n      rateLimit\n      disabled\n    }\n  }\n": typeof types.UpdateTenantDocument,
    "\n  mutation DeleteTenant($id: ID!) {\n    deleteTenant(id: $id)\n  }\n": typeof types.DeleteTenantDocument,
};
const documents: Documents = {
    "\n  mutation CreateTenant($name: String!) {\n    createTenant(name: $name) {\n      apiKey\n      tenant {\n        id\n        name\n        createdAt\n        disabled\n        rateLimit\n      }\n    }\n  }\n": types.CreateTenantDocument,
    "\n  query Tenants {\n    tenants {\n      id\n      name\n    }\n  }\n": types.TenantsDocument,
    "\n  mutation CreateRoom($input: CreateRoomInput!) {\n    createRoom(input: $input) {\n      id\n      type\n      uniqueKey\n      name\n      lastSeq\n      createdAt\n      members {\n        userId\n        role\n        joinedAt\n        deliveredSeq\n      }\n    }\n  }\n": types.CreateRoomDocument,
    "\n  mutation SendMessage($roomId: ID!, $content: String!, $meta: JSON, $clientMessageId: String) {\n    sendMessage(roomId: $roomId, content: $content, meta: $meta, clientMessageId: $clientMessageId) {\n      id\n      roomId\n      senderId\n      seq\n      content\n      meta\n      clientMessageId\n      createdAt\n    }\n  }\n": types.SendMessageDocument,
    "\n  query Messages($roomId: ID!, $afterSeq: Int, $beforeSeq: Int, $limit: Int) {\n    messages(roomId: $roomId, afterSeq: $afterSeq, beforeSeq: $beforeSeq, limit: $limit) {\n      seq\n      content\n    }\n  }\n": types.MessagesDocument,
    "\n  mutation Ack($roomId: ID!, $seq: Int!) {\n    ack(roomId: $roomId, seq: $seq)\n  }\n": types.AckDocument,
    "\n  mutation MarkRead($roomId: ID!, $seq: Int!) {\n    markRead(roomId: $roomId, seq: $seq)\n  }\n": types.MarkReadDocument,
    "\n  query Cursors($id: ID!) {\n    room(id: $id) {\n      members {\n        userId\n        deliveredSeq\n        readSeq\n      }\n    }\n  }\n": types.CursorsDocument,
    "\n  query Overview($id: ID!) {\n    health {\n      status\n      uptime\n      dbWritable\n    }\n    viewer {\n      tenantId\n      userId\n    }\n    room(id: $id) {\n      id\n      lastSeq\n      members {\n        userId\n        deliveredSeq\n      }\n    }\n    rooms {\n      id\n    }\n  }\n": types.OverviewDocument,
    "\n  query IsolationRoom($id: ID!) {\n    room(id: $id) {\n      id\n    }\n    rooms {\n      id\n    }\n  }\n": types.IsolationRoomDocument,
    "\n  query IsolationMessages($roomId: ID!) {\n    messages(roomId: $roomId) {\n      seq\n    }\n  }\n": types.IsolationMessagesDocument,
    "\n  mutation IsolationSend($roomId: ID!) {\n    sendMessage(roomId: $roomId, content: \"intruder\") {\n      seq\n    }\n  }\n": types.IsolationSendDocument,
    "\n  mutation IsolationAck($roomId: ID!) {\n    ack(roomId: $roomId, seq: 1)\n  }\n": types.IsolationAckDocument,
    "\n  subscription Notifications($topics: [String!]) {\n    notifications(topics: $topics) {\n      id\n      topic\n      payload\n      createdAt\n    }\n  }\n": types.NotificationsDocument,
    "\n  mutation Notify($input: NotifyInput!) {\n    notify(input: $input) {\n      id\n      topic\n      payload\n    }\n  }\n": types.NotifyDocument,
    "\n  mutation AckNotification($id: ID!) {\n    ackNotification(id: $id)\n  }\n": types.AckNotificationDocument,
    "\n  mutation Topic($topic: String!) {\n    subscribeTopic(topic: $topic)\n  }\n": types.TopicDocument,
    "\n  mutation Untopic($topic: String!) {\n    unsubscribeTopic(topic: $topic)\n  }\n": types.UntopicDocument,
    "\n  query LimitedViewer {\n    viewer {\n      userId\n    }\n  }\n": types.LimitedViewerDocument,
    "\n  subscription LimitedWatch($roomId: ID!) {\n    messageAdded(roomId: $roomId) {\n      seq\n    }\n  }\n": types.LimitedWatchDocument,
    "\n  subscription Watch($roomId: ID!, $afterSeq: Int) {\n    messageAdded(roomId: $roomId, afterSeq: $afterSeq) {\n      seq\n    }\n  }\n": types.WatchDocument,
    "\n  subscription Inbox($after: [RoomCursorInput!]) {\n    inbox(after: $after) {\n      roomId\n      message {\n        seq\n        content\n      }\n    }\n  }\n": types.InboxDocument,
    "\n  subscription RoomEvents($roomId: ID!) {\n    roomEvents(roomId: $roomId) {\n      __typename\n      ... on TypingEvent {\n        roomId\n        userId\n        typing\n      }\n      ... on PresenceEvent {\n        userId\n        status\n      }\n      ... on AckEvent {\n        roomId\n        userId\n        seq\n      }\n    }\n  }\n": types.RoomEventsDocument,
    "\n  mutation SetTyping($roomId: ID!, $typing: Boolean!) {\n    setTyping(roomId: $roomId, typing: $typing)\n  }\n": types.SetTypingDocument,
    "\n  mutation AckMessages($roomId: ID!, $seq: Int!) {\n    ack(roomId: $roomId, seq: $seq)\n  }\n": types.AckMessagesDocument,
    "\n  subscription ClusterWatch($roomId: ID!, $afterSeq: Int) {\n    messageAdded(roomId: $roomId, afterSeq: $afterSeq) {\n      seq\n      content\n    }\n  }\n": types.ClusterWatchDocument,
    "\n  subscription ClusterPresence($roomId: ID!) {\n    roomEvents(roomId: $roomId) {\n      __typename\n      ... on PresenceEvent {\n        userId\n        status\n      }\n    }\n  }\n": types.ClusterPresenceDocument,
    "\n  subscription MineAdded($roomId: ID!) {\n    messageAdded(roomId: $roomId) {\n      seq\n      senderId\n      isMine\n    }\n  }\n": types.MineAddedDocument,
    "\n  subscription MineInbox {\n    inbox {\n      roomId\n      message {\n        ...MineFields\n      }\n    }\n  }\n  fragment MineFields on Message {\n    seq\n    isMine\n  }\n": types.MineInboxDocument,
    "\n  subscription MessageAdded($roomId: ID!, $afterSeq: Int) {\n    messageAdded(roomId: $roomId, afterSeq: $afterSeq) {\n      id\n      roomId\n      senderId\n      seq\n      content\n      meta\n      clientMessageId\n      createdAt\n    }\n  }\n": types.MessageAddedDocument,
    "\n  subscription WithDefault($roomId: ID!, $show: Boolean = true) {\n    messageAdded(roomId: $roomId) {\n      seq\n      content @include(if: $show)\n    }\n  }\n": types.WithDefaultDocument,
    "\n  subscription SeqOnly($roomId: ID!, $withContent: Boolean!) {\n    messageAdded(roomId: $roomId) {\n      seq\n      content @include(if: $withContent)\n    }\n  }\n": types.SeqOnlyDocument,
    "\n  mutation Rotate($tenantId: ID!, $grace: Int) {\n    rotateTenantKey(tenantId: $tenantId, graceSeconds: $grace) {\n      apiKey\n      keyId\n      createdAt\n    }\n  }\n": types.RotateDocument,
    "\n  query AdminView($id: ID!) {\n    tenant(id: $id) {\n      id\n      name\n      rateLimit\n      effectiveRateLimit\n      disabled\n      keyCount\n    }\n    tenantKeys(tenantId: $id) {\n      id\n      prefix\n      revokedAt\n      expiresAt\n    }\n    tenantUsage(tenantId: $id) {\n      date\n      apiRequests\n    }\n  }\n": types.AdminViewDocument,
    "\n  mutation UpdateTenant($id: ID!, $input: UpdateTenantInput!) {\n    updateTenant(id: $id, input: $input) {\n      name\n      rateLimit\n      disabled\n    }\n  }\n": types.UpdateTenantDocument,
    "\n  mutation DeleteTenant($id: ID!) {\n    deleteTenant(id: $id)\n  }\n": types.DeleteTenantDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateTenant($name: String!) {\n    createTenant(name: $name) {\n      apiKey\n      tenant {\n        id\n        name\n        createdAt\n        disabled\n        rateLimit\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateTenant($name: String!) {\n    createTenant(name: $name) {\n      apiKey\n      tenant {\n        id\n        name\n        createdAt\n        disabled\n        rateLimit\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Tenants {\n    tenants {\n      id\n      name\n    }\n  }\n"): (typeof documents)["\n  query Tenants {\n    tenants {\n      id\n      name\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateRoom($input: CreateRoomInput!) {\n    createRoom(input: $input) {\n      id\n      type\n      uniqueKey\n      name\n      lastSeq\n      createdAt\n      members {\n        userId\n        role\n        joinedAt\n        deliveredSeq\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateRoom($input: CreateRoomInput!) {\n    createRoom(input: $input) {\n      id\n      type\n      uniqueKey\n      name\n      lastSeq\n      createdAt\n      members {\n        userId\n        role\n        joinedAt\n        deliveredSeq\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SendMessage($roomId: ID!, $content: String!, $meta: JSON, $clientMessageId: String) {\n    sendMessage(roomId: $roomId, content: $content, meta: $meta, clientMessageId: $clientMessageId) {\n      id\n      roomId\n      senderId\n      seq\n      content\n      meta\n      clientMessageId\n      createdAt\n    }\n  }\n"): (typeof documents)["\n  mutation SendMessage($roomId: ID!, $content: String!, $meta: JSON, $clientMessageId: String) {\n    sendMessage(roomId: $roomId, content: $content, meta: $meta, clientMessageId: $clientMessageId) {\n      id\n      roomId\n      senderId\n      seq\n      content\n      meta\n      clientMessageId\n      createdAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Messages($roomId: ID!, $afterSeq: Int, $beforeSeq: Int, $limit: Int) {\n    messages(roomId: $roomId, afterSeq: $afterSeq, beforeSeq: $beforeSeq, limit: $limit) {\n      seq\n      content\n    }\n  }\n"): (typeof documents)["\n  query Messages($roomId: ID!, $afterSeq: Int, $beforeSeq: Int, $limit: Int) {\n    messages(roomId: $roomId, afterSeq: $afterSeq, beforeSeq: $beforeSeq, limit: $limit) {\n      seq\n      content\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Ack($roomId: ID!, $seq: Int!) {\n    ack(roomId: $roomId, seq: $seq)\n  }\n"): (typeof documents)["\n  mutation Ack($roomId: ID!, $seq: Int!) {\n    ack(roomId: $roomId, seq: $seq)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation MarkRead($roomId: ID!, $seq: Int!) {\n    markRead(roomId: $roomId, seq: $seq)\n  }\n"): (typeof documents)["\n  mutation MarkRead($roomId: ID!, $seq: Int!) {\n    markRead(roomId: $roomId, seq: $seq)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Cursors($id: ID!) {\n    room(id: $id) {\n      members {\n        userId\n        deliveredSeq\n        readSeq\n      }\n    }\n  }\n"): (typeof documents)["\n  query Cursors($id: ID!) {\n    room(id: $id) {\n      members {\n        userId\n        deliveredSeq\n        readSeq\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Overview($id: ID!) {\n    health {\n      status\n      uptime\n      dbWritable\n    }\n    viewer {\n      tenantId\n      userId\n    }\n    room(id: $id) {\n      id\n      lastSeq\n      members {\n        userId\n        deliveredSeq\n      }\n    }\n    rooms {\n      id\n    }\n  }\n"): (typeof documents)["\n  query Overview($id: ID!) {\n    health {\n      status\n      uptime\n      dbWritable\n    }\n    viewer {\n      tenantId\n      userId\n    }\n    room(id: $id) {\n      id\n      lastSeq\n      members {\n        userId\n        deliveredSeq\n      }\n    }\n    rooms {\n      id\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query IsolationRoom($id: ID!) {\n    room(id: $id) {\n      id\n    }\n    rooms {\n      id\n    }\n  }\n"): (typeof documents)["\n  query IsolationRoom($id: ID!) {\n    room(id: $id) {\n      id\n    }\n    rooms {\n      id\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query IsolationMessages($roomId: ID!) {\n    messages(roomId: $roomId) {\n      seq\n    }\n  }\n"): (typeof documents)["\n  query IsolationMessages($roomId: ID!) {\n    messages(roomId: $roomId) {\n      seq\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation IsolationSend($roomId: ID!) {\n    sendMessage(roomId: $roomId, content: \"intruder\") {\n      seq\n    }\n  }\n"): (typeof documents)["\n  mutation IsolationSend($roomId: ID!) {\n    sendMessage(roomId: $roomId, content: \"intruder\") {\n      seq\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation IsolationAck($roomId: ID!) {\n    ack(roomId: $roomId, seq: 1)\n  }\n"): (typeof documents)["\n  mutation IsolationAck($roomId: ID!) {\n    ack(roomId: $roomId, seq: 1)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription Notifications($topics: [String!]) {\n    notifications(topics: $topics) {\n      id\n      topic\n      payload\n      createdAt\n    }\n  }\n"): (typeof documents)["\n  subscription Notifications($topics: [String!]) {\n    notifications(topics: $topics) {\n      id\n      topic\n      payload\n      createdAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Notify($input: NotifyInput!) {\n    notify(input: $input) {\n      id\n      topic\n      payload\n    }\n  }\n"): (typeof documents)["\n  mutation Notify($input: NotifyInput!) {\n    notify(input: $input) {\n      id\n      topic\n      payload\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AckNotification($id: ID!) {\n    ackNotification(id: $id)\n  }\n"): (typeof documents)["\n  mutation AckNotification($id: ID!) {\n    ackNotification(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Topic($topic: String!) {\n    subscribeTopic(topic: $topic)\n  }\n"): (typeof documents)["\n  mutation Topic($topic: String!) {\n    subscribeTopic(topic: $topic)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Untopic($topic: String!) {\n    unsubscribeTopic(topic: $topic)\n  }\n"): (typeof documents)["\n  mutation Untopic($topic: String!) {\n    unsubscribeTopic(topic: $topic)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query LimitedViewer {\n    viewer {\n      userId\n    }\n  }\n"): (typeof documents)["\n  query LimitedViewer {\n    viewer {\n      userId\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription LimitedWatch($roomId: ID!) {\n    messageAdded(roomId: $roomId) {\n      seq\n    }\n  }\n"): (typeof documents)["\n  subscription LimitedWatch($roomId: ID!) {\n    messageAdded(roomId: $roomId) {\n      seq\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription Watch($roomId: ID!, $afterSeq: Int) {\n    messageAdded(roomId: $roomId, afterSeq: $afterSeq) {\n      seq\n    }\n  }\n"): (typeof documents)["\n  subscription Watch($roomId: ID!, $afterSeq: Int) {\n    messageAdded(roomId: $roomId, afterSeq: $afterSeq) {\n      seq\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription Inbox($after: [RoomCursorInput!]) {\n    inbox(after: $after) {\n      roomId\n      message {\n        seq\n        content\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription Inbox($after: [RoomCursorInput!]) {\n    inbox(after: $after) {\n      roomId\n      message {\n        seq\n        content\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription RoomEvents($roomId: ID!) {\n    roomEvents(roomId: $roomId) {\n      __typename\n      ... on TypingEvent {\n        roomId\n        userId\n        typing\n      }\n      ... on PresenceEvent {\n        userId\n        status\n      }\n      ... on AckEvent {\n        roomId\n        userId\n        seq\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription RoomEvents($roomId: ID!) {\n    roomEvents(roomId: $roomId) {\n      __typename\n      ... on TypingEvent {\n        roomId\n        userId\n        typing\n      }\n      ... on PresenceEvent {\n        userId\n        status\n      }\n      ... on AckEvent {\n        roomId\n        userId\n        seq\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetTyping($roomId: ID!, $typing: Boolean!) {\n    setTyping(roomId: $roomId, typing: $typing)\n  }\n"): (typeof documents)["\n  mutation SetTyping($roomId: ID!, $typing: Boolean!) {\n    setTyping(roomId: $roomId, typing: $typing)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AckMessages($roomId: ID!, $seq: Int!) {\n    ack(roomId: $roomId, seq: $seq)\n  }\n"): (typeof documents)["\n  mutation AckMessages($roomId: ID!, $seq: Int!) {\n    ack(roomId: $roomId, seq: $seq)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ClusterWatch($roomId: ID!, $afterSeq: Int) {\n    messageAdded(roomId: $roomId, afterSeq: $afterSeq) {\n      seq\n      content\n    }\n  }\n"): (typeof documents)["\n  subscription ClusterWatch($roomId: ID!, $afterSeq: Int) {\n    messageAdded(roomId: $roomId, afterSeq: $afterSeq) {\n      seq\n      content\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ClusterPresence($roomId: ID!) {\n    roomEvents(roomId: $roomId) {\n      __typename\n      ... on PresenceEvent {\n        userId\n        status\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription ClusterPresence($roomId: ID!) {\n    roomEvents(roomId: $roomId) {\n      __typename\n      ... on PresenceEvent {\n        userId\n        status\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription MineAdded($roomId: ID!) {\n    messageAdded(roomId: $roomId) {\n      seq\n      senderId\n      isMine\n    }\n  }\n"): (typeof documents)["\n  subscription MineAdded($roomId: ID!) {\n    messageAdded(roomId: $roomId) {\n      seq\n      senderId\n      isMine\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription MineInbox {\n    inbox {\n      roomId\n      message {\n        ...MineFields\n      }\n    }\n  }\n  fragment MineFields on Message {\n    seq\n    isMine\n  }\n"): (typeof documents)["\n  subscription MineInbox {\n    inbox {\n      roomId\n      message {\n        ...MineFields\n      }\n    }\n  }\n  fragment MineFields on Message {\n    seq\n    isMine\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription MessageAdded($roomId: ID!, $afterSeq: Int) {\n    messageAdded(roomId: $roomId, afterSeq: $afterSeq) {\n      id\n      roomId\n      senderId\n      seq\n      content\n      meta\n      clientMessageId\n      createdAt\n    }\n  }\n"): (typeof documents)["\n  subscription MessageAdded($roomId: ID!, $afterSeq: Int) {\n    messageAdded(roomId: $roomId, afterSeq: $afterSeq) {\n      id\n      roomId\n      senderId\n      seq\n      content\n      meta\n      clientMessageId\n      createdAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription WithDefault($roomId: ID!, $show: Boolean = true) {\n    messageAdded(roomId: $roomId) {\n      seq\n      content @include(if: $show)\n    }\n  }\n"): (typeof documents)["\n  subscription WithDefault($roomId: ID!, $show: Boolean = true) {\n    messageAdded(roomId: $roomId) {\n      seq\n      content @include(if: $show)\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription SeqOnly($roomId: ID!, $withContent: Boolean!) {\n    messageAdded(roomId: $roomId) {\n      seq\n      content @include(if: $withContent)\n    }\n  }\n"): (typeof documents)["\n  subscription SeqOnly($roomId: ID!, $withContent: Boolean!) {\n    messageAdded(roomId: $roomId) {\n      seq\n      content @include(if: $withContent)\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Rotate($tenantId: ID!, $grace: Int) {\n    rotateTenantKey(tenantId: $tenantId, graceSeconds: $grace) {\n      apiKey\n      keyId\n      createdAt\n    }\n  }\n"): (typeof documents)["\n  mutation Rotate($tenantId: ID!, $grace: Int) {\n    rotateTenantKey(tenantId: $tenantId, graceSeconds: $grace) {\n      apiKey\n      keyId\n      createdAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminView($id: ID!) {\n    tenant(id: $id) {\n      id\n      name\n      rateLimit\n      effectiveRateLimit\n      disabled\n      keyCount\n    }\n    tenantKeys(tenantId: $id) {\n      id\n      prefix\n      revokedAt\n      expiresAt\n    }\n    tenantUsage(tenantId: $id) {\n      date\n      apiRequests\n    }\n  }\n"): (typeof documents)["\n  query AdminView($id: ID!) {\n    tenant(id: $id) {\n      id\n      name\n      rateLimit\n      effectiveRateLimit\n      disabled\n      keyCount\n    }\n    tenantKeys(tenantId: $id) {\n      id\n      prefix\n      revokedAt\n      expiresAt\n    }\n    tenantUsage(tenantId: $id) {\n      date\n      apiRequests\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateTenant($id: ID!, $input: UpdateTenantInput!) {\n    updateTenant(id: $id, input: $input) {\n      name\n      rateLimit\n      disabled\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateTenant($id: ID!, $input: UpdateTenantInput!) {\n    updateTenant(id: $id, input: $input) {\n      name\n      rateLimit\n      disabled\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteTenant($id: ID!) {\n    deleteTenant(id: $id)\n  }\n"): (typeof documents)["\n  mutation DeleteTenant($id: ID!) {\n    deleteTenant(id: $id)\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;