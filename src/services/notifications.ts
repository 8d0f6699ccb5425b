import { z } from 'zod';
import type { Session } from '../auth/session.js';
import type { Database } from '../db/database.js';
import { invalid, notFound, tooLarge } from '../errors.js';
import type { EventBus } from '../events/bus.js';
import { userKey, type NotificationData } from '../events/events.js';
import type { Logger } from '../logger.js';
import { EventQueue, type Connection } from './eventQueue.js';
import { newId } from './ids.js';
import type { RoomService } from './rooms.js';
import {
  check,
  checkJsonDepth,
  idSchema,
  isStorableText,
  roomIdSchema,
  storableText,
  userIdSchema,
  utf8Bytes,
} from './validation.js';

export interface NotifyInput {
  topic: unknown;
  /** Any JSON value; required. */
  payload?: unknown;
  /** `{ userIds?, roomId?, topicSubscribers? }`: the union of all three receives it. */
  targets: unknown;
}

export interface DeadLetter {
  notificationId: string;
  tenantId: string;
  userId: string;
  topic: string;
  payload: unknown;
  attempts: number;
  lastAttemptAt: Date | null;
  error: string | null;
  createdAt: Date;
}

export interface NotificationSettings {
  workerIntervalMs: number;
  retryIntervalMs: number;
  retryMaxAttempts: number;
  ttlMs: number;
  maxPayloadBytes: number;
}

interface DueDelivery {
  notificationId: string;
  tenantId: string;
  userId: string;
  attempts: number;
  notification: { id: string; topic: string; payload: string; createdAt: Date; expiresAt: Date };
}

/** Most users one notification may reach. */
export const MAX_RECIPIENTS = 10_000;

const topicSchema = z
  .string({ error: (i) => (i.input === undefined ? 'is required' : 'must be a string') })
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters')
  .regex(/^[^\u0000-\u001f\u007f]*$/, 'must not contain control characters')
  .refine(isStorableText, storableText);

const targetsSchema = z.object(
  {
    userIds: z.array(userIdSchema).max(MAX_RECIPIENTS, `must list at most ${MAX_RECIPIENTS} users`).nullish(),
    roomId: roomIdSchema.nullish(),
    topicSubscribers: z.boolean({ error: 'must be true or false' }).nullish(),
  },
  { error: 'must be an object with userIds, roomId and/or topicSubscribers' },
);

/**
 * Notifications: a tenant backend sends a topic and a JSON payload to a set of users (listed
 * users, members of a room, subscribers of the topic). Each target's copy is stored, pushed live to
 * connected targets, replayed on their next `notifications` subscription until acknowledged or
 * expired, and retried by the delivery worker with backoff while a target is connected but silent;
 * after the last retry it becomes a dead letter.
 */
export class NotificationService {
  private worker: NodeJS.Timeout | undefined;
  private tick: Promise<void> | undefined;
  /** Live notification listeners on this instance, per user: the topics each wants (undefined: all). */
  private readonly listening = new Map<string, Array<Set<string> | undefined>>();

  constructor(
    private readonly db: Database,
    private readonly bus: EventBus,
    private readonly rooms: RoomService,
    private readonly logger: Logger,
    private readonly settings: NotificationSettings,
  ) {}

  async notify(session: Session, input: NotifyInput): Promise<NotificationData & { recipients: number }> {
    const { tenantId } = session.assert('notification:send');
    const topic = check(topicSchema, input.topic, 'topic');
    if (input.payload === undefined) throw invalid('payload is required', 'payload');
    checkJsonDepth(input.payload, 'payload');
    const payload = JSON.stringify(input.payload);
    if (utf8Bytes(payload) > this.settings.maxPayloadBytes) {
      throw tooLarge(`payload must be at most ${this.settings.maxPayloadBytes} bytes as JSON`, 'payload');
    }
    const targets = check(targetsSchema, input.targets, 'targets');
    if (!targets.userIds?.length && !targets.roomId && !targets.topicSubscribers) {
      throw invalid('targets must name userIds, a roomId or topicSubscribers', 'targets');
    }

    const recipients = new Set(targets.userIds ?? []);
    if (targets.roomId) {
      const { roomId } = await this.rooms.authorize(session, 'room:read', { roomId: targets.roomId });
      const members = await this.db.read.roomMember.findMany({ where: { roomId }, select: { userId: true } });
      for (const m of members) recipients.add(m.userId);
    }
    if (targets.topicSubscribers) {
      const subscribers = await this.db.read.topicSubscription.findMany({
        where: { tenantId, topic },
        select: { userId: true },
      });
      for (const s of subscribers) recipients.add(s.userId);
    }
    if (recipients.size > MAX_RECIPIENTS)
      throw invalid(`a notification may reach at most ${MAX_RECIPIENTS} users`, 'targets');

    const now = new Date();
    const expiresAt = new Date(now.getTime() + this.settings.ttlMs);
    const nextAttemptAt = new Date(now.getTime() + this.settings.retryIntervalMs);
    const id = newId('ntf');
    await this.db.transaction(async (tx) => {
      await tx.notification.create({ data: { id, tenantId, topic, payload, createdAt: now, expiresAt } });
      if (recipients.size > 0) {
        await tx.notificationDelivery.createMany({
          data: [...recipients].map((userId) => ({ notificationId: id, tenantId, userId, nextAttemptAt })),
        });
      }
    });
    const notification: NotificationData = {
      id,
      topic,
      payload: input.payload,
      createdAt: now.toISOString(),
      expiresAt: expiresAt.toISOString(),
    };
    for (const userId of recipients) {
      this.bus.publish('user', userKey(tenantId, userId), { type: 'notification', notification, attempt: 0 });
    }
    return { ...notification, recipients: recipients.size };
  }

  /** Marks the caller's copy as received; it is neither replayed nor retried again. */
  async ack(session: Session, notificationId: unknown): Promise<void> {
    const { tenantId, userId } = session.assert('notification:receive');
    const id = check(idSchema, notificationId, 'notificationId');
    const { count } = await this.db.transaction((tx) =>
      tx.notificationDelivery.updateMany({
        where: { notificationId: id, tenantId, userId, status: { in: ['pending', 'dead'] } },
        data: { status: 'acked', ackedAt: new Date() },
      }),
    );
    if (count === 0) {
      const exists = await this.db.read.notificationDelivery.findUnique({
        where: { notificationId_userId: { notificationId: id, userId } },
        select: { tenantId: true },
      });
      if (!exists || exists.tenantId !== tenantId) throw notFound('Notification');
    }
  }

  async subscribeTopic(session: Session, topic: unknown): Promise<void> {
    const { tenantId, userId } = session.assert('notification:receive');
    const name = check(topicSchema, topic, 'topic');
    await this.db.transaction((tx) =>
      tx.topicSubscription.upsert({
        where: { tenantId_topic_userId: { tenantId, topic: name, userId } },
        create: { tenantId, topic: name, userId },
        update: {},
      }),
    );
  }

  async unsubscribeTopic(session: Session, topic: unknown): Promise<void> {
    const { tenantId, userId } = session.assert('notification:receive');
    const name = check(topicSchema, topic, 'topic');
    await this.db.transaction((tx) => tx.topicSubscription.deleteMany({ where: { tenantId, topic: name, userId } }));
  }

  /**
   * The caller's notifications: every stored one not yet acknowledged (oldest first), then live
   * ones. `topics` narrows both to those topics.
   */
  async stream(session: Session, topics: unknown, connection?: Connection): Promise<EventQueue<NotificationData>> {
    const { tenantId, userId } = session.assert('notification:receive');
    const only = topics == null ? undefined : new Set(check(z.array(topicSchema).max(100), topics, 'topics'));
    const queue = new EventQueue<NotificationData>(connection, 10_000);
    const wanted = (n: NotificationData) => !only || only.has(n.topic);
    // Live pushes that arrive while stored ones are being read wait, so the two cannot duplicate.
    let backlog: Array<{ notification: NotificationData; attempt: number }> | undefined = [];
    const key = userKey(tenantId, userId);
    const unsubscribe = this.bus.subscribe('user', key, (event) => {
      if (event.type !== 'notification' || !wanted(event.notification)) return;
      if (backlog) backlog.push(event);
      else queue.push(event.notification);
    });
    const filters = this.listening.get(key) ?? [];
    filters.push(only);
    this.listening.set(key, filters);
    queue.onClose(() => {
      unsubscribe();
      filters.splice(filters.indexOf(only), 1);
      if (filters.length === 0) this.listening.delete(key);
    });
    const replayed = new Set<string>();
    try {
      await this.bus.ready('user', key);
      const pending = await this.pending(tenantId, userId, only);
      for (const n of pending) {
        replayed.add(n.id);
        queue.push(n);
      }
      if (pending.length > 0) {
        // Just delivered: the next retry is a full interval away, not due at once.
        const nextAttemptAt = new Date(Date.now() + this.settings.retryIntervalMs);
        await this.db.transaction((tx) =>
          tx.notificationDelivery.updateMany({
            where: {
              tenantId,
              userId,
              status: 'pending',
              notificationId: { in: [...replayed] },
              nextAttemptAt: { lt: nextAttemptAt },
            },
            data: { nextAttemptAt },
          }),
        );
      }
    } catch (err) {
      // Nothing stays registered for a stream that never started.
      await queue.return();
      throw err;
    } finally {
      for (const event of backlog)
        if (event.attempt > 0 || !replayed.has(event.notification.id)) queue.push(event.notification);
      backlog = undefined;
    }
    return queue;
  }

  private async pending(tenantId: string, userId: string, topics?: Set<string>): Promise<NotificationData[]> {
    const rows = await this.db.read.notificationDelivery.findMany({
      where: {
        tenantId,
        userId,
        status: 'pending',
        notification: { expiresAt: { gt: new Date() }, ...(topics ? { topic: { in: [...topics] } } : {}) },
      },
      select: { notification: true },
      orderBy: { notification: { createdAt: 'asc' } },
      take: 1_000,
    });
    return rows.map(({ notification: n }) => ({
      id: n.id,
      topic: n.topic,
      payload: JSON.parse(n.payload) as unknown,
      createdAt: n.createdAt.toISOString(),
      expiresAt: n.expiresAt.toISOString(),
    }));
  }

  async deadLetters(session: Session, filter: { tenantId?: unknown; limit?: unknown }): Promise<DeadLetter[]> {
    session.assert('tenant:admin');
    const tenantId = filter.tenantId == null ? undefined : check(idSchema, filter.tenantId, 'tenantId');
    const limit =
      filter.limit == null
        ? 100
        : check(
            z
              .number()
              .int('must be an integer')
              .min(1, 'must be at least 1')
              .transform((n) => Math.min(n, 1000)),
            filter.limit,
            'limit',
          );
    const rows = await this.db.read.notificationDelivery.findMany({
      where: { status: 'dead', ...(tenantId ? { tenantId } : {}) },
      include: { notification: true },
      orderBy: { lastAttemptAt: 'desc' },
      take: limit,
    });
    return rows.map((r) => ({
      notificationId: r.notificationId,
      tenantId: r.tenantId,
      userId: r.userId,
      topic: r.notification.topic,
      payload: JSON.parse(r.notification.payload) as unknown,
      attempts: r.attempts,
      lastAttemptAt: r.lastAttemptAt,
      error: r.error,
      createdAt: r.notification.createdAt,
    }));
  }

  /** Starts the delivery worker (WORKER_INTERVAL). */
  startWorker(): void {
    this.worker = setInterval(() => {
      if (this.tick) return;
      this.tick = this.retryDue()
        .catch((err) => this.logger.error({ err }, 'Notification worker failed'))
        .finally(() => (this.tick = undefined));
    }, this.settings.workerIntervalMs);
    this.worker.unref();
  }

  async stopWorker(): Promise<void> {
    clearInterval(this.worker);
    await this.tick;
  }

  /**
   * One pass of the worker: copies due for a retry whose target is connected here are pushed
   * again (the attempt is claimed in the database, so two instances never both count it); after
   * RETRY_MAX_ATTEMPTS unacknowledged retries a copy becomes a dead letter. Expired copies are
   * marked expired.
   */
  async retryDue(): Promise<void> {
    const now = new Date();
    await this.db.transaction((tx) =>
      tx.notificationDelivery.updateMany({
        where: { status: 'pending', notification: { expiresAt: { lte: now } } },
        data: { status: 'expired' },
      }),
    );
    if (this.listening.size === 0) return;
    // Only copies whose target listens here: the others wait for their next subscription (or
    // for the instance they are connected to).
    const targets = [...this.listening.keys()].map((key) => {
      const split = key.indexOf(':');
      return { tenantId: key.slice(0, split), userId: key.slice(split + 1) };
    });
    const { retryIntervalMs, retryMaxAttempts } = this.settings;
    for (let i = 0; i < targets.length; i += 200) {
      const due = await this.db.read.notificationDelivery.findMany({
        where: { status: 'pending', nextAttemptAt: { lte: now }, OR: targets.slice(i, i + 200) },
        include: { notification: true },
        orderBy: { nextAttemptAt: 'asc' },
        take: 500,
      });
      for (const d of due) await this.retry(d, now, retryIntervalMs, retryMaxAttempts);
    }
  }

  private async retry(d: DueDelivery, now: Date, retryIntervalMs: number, retryMaxAttempts: number): Promise<void> {
    const key = userKey(d.tenantId, d.userId);
    // A listener filtered to other topics does not count as the target being reachable.
    if (!this.listening.get(key)?.some((topics) => !topics || topics.has(d.notification.topic))) return;
    const exhausted = d.attempts >= retryMaxAttempts;
    const { count } = await this.db.transaction((tx) =>
      tx.notificationDelivery.updateMany({
        where: { notificationId: d.notificationId, userId: d.userId, status: 'pending', attempts: d.attempts },
        data: exhausted
          ? { status: 'dead', error: `not acknowledged after ${d.attempts} delivery attempts` }
          : {
              attempts: d.attempts + 1,
              lastAttemptAt: now,
              nextAttemptAt: new Date(now.getTime() + retryIntervalMs * 2 ** (d.attempts + 1)),
            },
      }),
    );
    if (count === 0 || exhausted) {
      if (count > 0)
        this.logger.warn({ tenant_id: d.tenantId, notification_id: d.notificationId }, 'Notification dead-lettered');
      return;
    }
    this.bus.publish('user', key, {
      type: 'notification',
      attempt: d.attempts + 1,
      notification: {
        id: d.notification.id,
        topic: d.notification.topic,
        payload: JSON.parse(d.notification.payload) as unknown,
        createdAt: d.notification.createdAt.toISOString(),
        expiresAt: d.notification.expiresAt.toISOString(),
      },
    });
  }
}
