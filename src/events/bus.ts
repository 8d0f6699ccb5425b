import type { EventMap } from './events.js';

export type Topic = keyof EventMap;
export type Listener<T extends Topic> = (event: EventMap[T]) => void;

/**
 * The one event bus. Payloads are plain JSON so the same bus runs in memory (one instance) or
 * over Redis (several instances) without any publisher or subscriber noticing.
 * Publishers publish after their transaction commits, never inside it.
 */
export interface EventBus {
  publish<T extends Topic>(topic: T, key: string, event: EventMap[T]): void;
  subscribe<T extends Topic>(topic: T, key: string, listener: Listener<T>): () => void;
  /**
   * Resolves once events published from now on are sure to reach this instance's subscribers of
   * (topic, key): read the state a subscription starts from only after it. Gives up after a short
   * wait when the transport is away (callers must then catch up later).
   */
  ready(topic: Topic, key: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * This process's listeners by channel. Delivery is synchronous and a failing listener is
 * reported, never allowed to stop the others (or the publisher).
 */
export class LocalHub {
  private readonly channels = new Map<string, Set<(event: unknown) => void>>();

  constructor(private readonly onListenerError: (err: unknown) => void) {}

  emit(channel: string, event: unknown): void {
    const listeners = this.channels.get(channel);
    if (!listeners) return;
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (err) {
        this.onListenerError(err);
      }
    }
  }

  on(channel: string, listener: (event: unknown) => void): () => void {
    let listeners = this.channels.get(channel);
    if (!listeners) {
      listeners = new Set();
      this.channels.set(channel, listeners);
    }
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0 && this.channels.get(channel) === listeners) this.channels.delete(channel);
    };
  }
}

export const channelName = (prefix: string, topic: Topic, key: string) => `${prefix}${topic}:${key}`;

/** The bus of a single instance: everything stays in this process. */
export function createEventBus(onListenerError: (err: unknown) => void = () => {}): EventBus {
  const hub = new LocalHub(onListenerError);
  return {
    publish: (topic, key, event) => hub.emit(channelName('', topic, key), event),
    subscribe: (topic, key, listener) => hub.on(channelName('', topic, key), listener as (event: unknown) => void),
    ready: async () => {},
    close: async () => {},
  };
}
