import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { createClient, type Client as GraphQLWsClient } from 'graphql-ws';
import WebSocket from 'ws';
import type { ServerAddress } from './server.js';

export const wsUrl = (server: Pick<ServerAddress, 'url'>, path: string) => server.url.replace(/^http/, 'ws') + path;

export interface Closed {
  code: number;
  reason: string;
}

/**
 * A graphql-ws client (the real client package over `ws`) acting as a tenant user. A TestServer
 * disposes it when it stops.
 */
export function graphqlWsClient(
  server: Pick<ServerAddress, 'url' | 'defer'>,
  params: Record<string, unknown> | undefined,
  options: { url?: string; headers?: Record<string, string> } = {},
): GraphQLWsClient & { closed: Promise<Closed>; socket: () => WebSocket | undefined } {
  let resolveClosed!: (c: Closed) => void;
  const closed = new Promise<Closed>((r) => (resolveClosed = r));
  let socket: WebSocket | undefined;
  const headers = options.headers;
  class HeaderSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { headers });
      socket = this;
    }
  }
  const client = createClient({
    url: options.url ?? wsUrl(server, '/graphql'),
    webSocketImpl: HeaderSocket,
    connectionParams: params,
    lazy: false,
    retryAttempts: 0,
    onNonLazyError: () => {},
    on: {
      closed: (event) =>
        resolveClosed({ code: (event as CloseEvent).code, reason: String((event as CloseEvent).reason) }),
    },
  });
  server.defer?.(() => client.dispose());
  return Object.assign(client, { closed, socket: () => socket });
}

/** Collects what a subscription yields; `until(n)` waits for n results. */
export class Subscription<T> {
  readonly values: T[] = [];
  readonly errors: unknown[] = [];
  done = false;
  private waiters: Array<() => void> = [];
  readonly dispose: () => void;

  constructor(client: GraphQLWsClient, document: TypedDocumentNode<T, any>, variables?: Record<string, unknown>) {
    this.dispose = client.subscribe<T>(
      { query: print(document), variables },
      {
        next: (result) => {
          if (result.errors) this.errors.push(...result.errors);
          if (result.data) this.values.push(result.data as T);
          this.notify();
        },
        error: (err) => {
          this.errors.push(...(Array.isArray(err) ? err : [err]));
          this.done = true;
          this.notify();
        },
        complete: () => {
          this.done = true;
          this.notify();
        },
      },
    );
  }

  private notify() {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Waits until `predicate` holds (checked after every event), or fails after `timeoutMs`. */
  async until(predicate: (s: this) => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this)) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`timed out; have ${this.values.length} values, errors ${JSON.stringify(this.errors)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  count(n: number, timeoutMs?: number) {
    return this.until((s) => s.values.length >= n, timeoutMs);
  }
}

/** A raw `ws` client on the original /ws protocol that records every frame; closed when a TestServer stops. */
export class LegacyClient {
  readonly frames: any[] = [];
  readonly socket: WebSocket;
  readonly opened: Promise<void>;
  readonly closed: Promise<Closed>;
  private waiters: Array<() => void> = [];

  constructor(server: Pick<ServerAddress, 'url' | 'defer'>, query: string, headers: Record<string, string> = {}) {
    this.socket = new WebSocket(wsUrl(server, `/ws${query}`), { headers });
    server.defer?.(() => this.socket.readyState === WebSocket.OPEN && this.socket.terminate());
    this.opened = new Promise((resolve, reject) => {
      this.socket.once('open', () => resolve());
      this.socket.once('error', reject);
    });
    this.closed = new Promise((resolve) =>
      this.socket.once('close', (code, reason) => resolve({ code, reason: String(reason) })),
    );
    this.socket.on('message', (data) => {
      this.frames.push(JSON.parse(String(data)));
      for (const w of this.waiters.splice(0)) w();
    });
  }

  /**
   * Connects and waits until the server has set the connection up (its streams attached): frames
   * are handled only after that, so the answer to a probe frame marks the moment.
   */
  static async connect(
    server: Pick<ServerAddress, 'url' | 'defer'>,
    apiKey: string,
    userId: string,
  ): Promise<LegacyClient> {
    const client = new LegacyClient(
      server,
      `?api_key=${encodeURIComponent(apiKey)}&user_id=${encodeURIComponent(userId)}`,
    );
    await client.opened;
    client.send({ type: 'subscribe', room_id: 'room_readiness_probe', request_id: '__ready__' });
    await client.until((frames) => frames.some((f) => f.request_id === '__ready__'));
    client.frames.splice(
      client.frames.findIndex((f) => f.request_id === '__ready__'),
      1,
    );
    return client;
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  of(type: string): any[] {
    return this.frames.filter((f) => f.type === type);
  }

  async until(predicate: (frames: any[]) => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.frames)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting; frames: ${JSON.stringify(this.frames).slice(0, 2000)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private taken = new Map<string, number>();

  /** The next frame of `type` not yet returned by next() (waiting for it if needed). */
  async next(type: string, timeoutMs?: number): Promise<any> {
    const index = this.taken.get(type) ?? 0;
    await this.until(() => this.of(type).length > index, timeoutMs);
    this.taken.set(type, index + 1);
    return this.of(type)[index];
  }

  close(): void {
    this.socket.close();
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
