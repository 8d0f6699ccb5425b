import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Redis, RedisOptions } from 'ioredis';
import type { Logger } from '../logger.js';
import { channelName, LocalHub, type EventBus, type Listener, type Topic } from './bus.js';

// Loaded on first use: a single instance without Redis never pays for these modules at start-up.
const load = createRequire(import.meta.url);
const ioredis = () => load('ioredis') as typeof import('ioredis');
const redisEventTarget = () =>
  load('@graphql-yoga/redis-event-target') as typeof import('@graphql-yoga/redis-event-target');

/** A Redis connection as ChatAPI uses it: fail fast while Redis is away, reconnect forever. */
export function connectRedis(url: string, logger: Logger, name: string, options: RedisOptions = {}): Redis {
  const client = new (ioredis().Redis)(url, {
    connectionName: `chatapi-${name}`,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy: (attempt) => Math.min(100 * attempt, 2_000),
    ...options,
  });
  let down = false;
  client.on('error', (err) => {
    if (!down) logger.warn({ err, redis: name }, 'Redis unavailable');
    down = true;
  });
  client.on('ready', () => {
    if (down) logger.info({ redis: name }, 'Redis available again');
    down = false;
  });
  return client;
}

export interface RedisBus extends EventBus {
  /** True while both Redis connections are ready. */
  healthy(): boolean;
  /** Runs `callback` whenever the bus reconnects after Redis was away (events may have been lost). */
  onReconnect(callback: () => void): void;
}

interface Envelope {
  /** The instance that published; it has already delivered the event to its own listeners. */
  o: string;
  e: unknown;
}

/**
 * The event bus across instances: events go to this instance's listeners at once and to the
 * other instances through Redis pub/sub (graphql-yoga's Redis event target over ioredis). An
 * instance ignores its own events coming back from Redis, so local delivery keeps working, and
 * stays fast, even while Redis is away. Nothing depends on the bus for durability: messages are
 * stored first, and on reconnect subscribers catch up from storage.
 */
export function createRedisBus(url: string, prefix: string, logger: Logger): RedisBus {
  const instance = randomBytes(8).toString('hex');
  const publisher = connectRedis(url, logger, 'publish');
  // Subscriptions made while Redis is away wait in the queue and are replayed on reconnect.
  const subscriber = connectRedis(url, logger, 'subscribe', { enableOfflineQueue: true, maxRetriesPerRequest: null });
  const quiet = (err: unknown) => logger.debug({ err }, 'Redis command failed');
  // SUBSCRIBE commands in flight, by channel: a subscription counts only once Redis confirmed it.
  const subscribing = new Map<string, Promise<unknown>>();
  // The Redis event target fires and forgets its commands: catch their failures here.
  const remote = redisEventTarget().createRedisEventTarget({
    publishClient: {
      publish: (channel: string, message: string) => publisher.publish(channel, message).catch(quiet),
    } as unknown as Redis,
    subscribeClient: {
      on: (event: string, fn: (...args: any[]) => void) => subscriber.on(event, fn),
      subscribe: (channel: string) => {
        const confirmed = subscriber.subscribe(channel).catch(quiet);
        subscribing.set(channel, confirmed);
        void confirmed.then(() => {
          if (subscribing.get(channel) === confirmed) subscribing.delete(channel);
        });
        return confirmed;
      },
      unsubscribe: (channel: string) => subscriber.unsubscribe(channel).catch(quiet),
    } as unknown as Redis,
  });
  const local = new LocalHub((err) => logger.error({ err }, 'Event listener failed'));
  const channel = (topic: Topic, key: string) => channelName(prefix, topic, key);

  // Either connection coming back after being away means events may have been lost: events this
  // instance published (publisher) or should have received (subscriber).
  const reconnectCallbacks: Array<() => void> = [];
  const wasDown = new Set<Redis>();
  const watch = (client: Redis) => {
    client.on('close', () => wasDown.add(client));
    client.on('ready', () => {
      if (!wasDown.delete(client)) return;
      reconnected();
    });
  };
  watch(publisher);
  watch(subscriber);
  const reconnected = () => {
    for (const callback of reconnectCallbacks) {
      try {
        callback();
      } catch (err) {
        logger.error({ err }, 'Reconnect handler failed');
      }
    }
  };

  return {
    publish(topic, key, event) {
      const name = channel(topic, key);
      local.emit(name, event);
      if (publisher.status === 'ready')
        remote.dispatchEvent(new CustomEvent(name, { detail: { o: instance, e: event } satisfies Envelope }));
    },
    subscribe<T extends Topic>(topic: T, key: string, listener: Listener<T>) {
      const name = channel(topic, key);
      const fromElsewhere = (event: CustomEvent) => {
        const envelope = event.detail as Envelope;
        if (envelope.o === instance) return;
        try {
          (listener as (event: unknown) => void)(envelope.e);
        } catch (err) {
          logger.error({ err }, 'Event listener failed');
        }
      };
      const offLocal = local.on(name, listener as (event: unknown) => void);
      remote.addEventListener(name, fromElsewhere as EventListener);
      return () => {
        offLocal();
        remote.removeEventListener(name, fromElsewhere as EventListener);
      };
    },
    async ready(topic, key) {
      const confirmed = subscribing.get(channel(topic, key));
      if (!confirmed) return;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([confirmed, new Promise((resolve) => (timer = setTimeout(resolve, 1_000)))]);
      clearTimeout(timer);
    },
    healthy: () => publisher.status === 'ready' && subscriber.status === 'ready',
    onReconnect: (callback) => reconnectCallbacks.push(callback),
    async close() {
      publisher.disconnect();
      subscriber.disconnect();
    },
  };
}
