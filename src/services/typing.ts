import type { Session } from '../auth/session.js';
import type { EventBus } from '../events/bus.js';
import type { RoomService } from './rooms.js';

interface TypingState {
  expiry: NodeJS.Timeout;
  announcedAt: number;
}

/**
 * "Typing" per user and room. Repeated `typing: true` signals are throttled (at most one event per
 * third of the timeout); typing ends by itself after the timeout without a new signal, so a client
 * that vanishes mid-sentence stops "typing" within seconds.
 */
export class TypingService {
  private readonly states = new Map<string, TypingState>();

  constructor(
    private readonly bus: EventBus,
    private readonly rooms: RoomService,
    private readonly timeoutMs: number,
  ) {}

  async set(session: Session, roomId: unknown, typing: boolean): Promise<void> {
    const member = await this.rooms.authorize(session, 'room:post', { roomId });
    const key = `${member.roomId}\u0000${member.userId}`;
    const state = this.states.get(key);
    if (!typing) {
      if (!state) return;
      this.stop(key, member.roomId, member.userId);
      return;
    }
    const expiry = setTimeout(() => this.stop(key, member.roomId, member.userId), this.timeoutMs);
    expiry.unref();
    if (state) {
      clearTimeout(state.expiry);
      state.expiry = expiry;
      if (Date.now() - state.announcedAt < this.timeoutMs / 3) return;
      state.announcedAt = Date.now();
    } else {
      this.states.set(key, { expiry, announcedAt: Date.now() });
    }
    this.bus.publish('room', member.roomId, {
      type: 'typing',
      roomId: member.roomId,
      userId: member.userId,
      typing: true,
    });
  }

  private stop(key: string, roomId: string, userId: string): void {
    const state = this.states.get(key);
    if (!state) return;
    clearTimeout(state.expiry);
    this.states.delete(key);
    this.bus.publish('room', roomId, { type: 'typing', roomId, userId, typing: false });
  }

  close(): void {
    for (const state of this.states.values()) clearTimeout(state.expiry);
    this.states.clear();
  }
}
