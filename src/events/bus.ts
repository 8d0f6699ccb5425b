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

/** What the bus needs from a transport: the EventTarget shape graphql-yoga's event targets share. */
export interface BusTarget {
  addEventListener(type: string, listener: (event: CustomEvent) => void): void;
  removeEventListener(type: string, listener: (event: CustomEvent) => void): void;
  dispatchEvent(event: CustomEvent): boolean;
}

const channel = (topic: Topic, key: string) => `chatapi:${topic}:${key}`;

export function createEventBus(
  target: BusTarget = new EventTarget() as unknown as BusTarget,
  onListenerError: (err: unknown) => void = () => {},
  closeTarget: () => Promise<void> = async () => {},
): EventBus {
  return {
    publish(topic, key, event) {
      target.dispatchEvent(new CustomEvent(channel(topic, key), { detail: event }));
    },
    subscribe(topic, key, listener) {
      const wrapped = (event: CustomEvent) => {
        try {
          listener(event.detail);
        } catch (err) {
          onListenerError(err);
        }
      };
      const name = channel(topic, key);
      target.addEventListener(name, wrapped);
      return () => target.removeEventListener(name, wrapped);
    },
    ready: async () => {},
    close: closeTarget,
  };
}
