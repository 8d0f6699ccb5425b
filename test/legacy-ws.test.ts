import { describe, expect, it } from 'vitest';
import { createRoom } from './helpers/client.js';
import { LegacyClient, sleep } from './helpers/ws.js';
import { useTenant } from './helpers/kit.js';

describe('the original /ws protocol', () => {
  const { server, tenant } = useTenant({ MAX_MESSAGE_BYTES: '1000', PRESENCE_GRACE: '200ms' });

  const connect = (userId: string) => LegacyClient.connect(server, tenant.apiKey, userId);
  const send = (room: string, user: string, content: string) =>
    tenant.as(user).post(`/rooms/${room}/messages`, { content });

  it('streams missed messages since the delivered seq on connect, in order, then live ones', async () => {
    const a = await createRoom(tenant.as('lia'), 'group', ['leo']);
    const b = await createRoom(tenant.as('lia'), 'group', ['leo']);
    for (let i = 1; i <= 5; i += 1) await send(a, 'lia', `a${i}`);
    for (let i = 1; i <= 2; i += 1) await send(b, 'lia', `b${i}`);
    await tenant.as('leo').post('/acks', { room_id: a, seq: 3 });

    const leo = await connect('leo');
    await leo.until((f) => f.filter((x) => x.type === 'message').length >= 4);
    const inRoom = (room: string) => leo.of('message').filter((m) => m.room_id === room);
    expect(inRoom(a).map((m) => m.seq)).toEqual([4, 5]);
    expect(inRoom(b).map((m) => m.seq)).toEqual([1, 2]);
    const sent = await tenant.as('lia').post(`/rooms/${b}/messages`, { content: 'live', meta: { k: 'v' } });
    await leo.until(() => inRoom(b).length === 3);
    expect(inRoom(b)[2]).toEqual({
      type: 'message',
      room_id: b,
      message_id: sent.body.message_id,
      seq: 3,
      sender_id: 'lia',
      content: 'live',
      meta: { k: 'v' },
      client_message_id: null,
      created_at: sent.body.created_at,
    });
    leo.close();
  });

  it('accepts send_message in the flat and the enveloped form', async () => {
    const room = await createRoom(tenant.as('fay'), 'group', ['fin']);
    const fay = await connect('fay');
    const fin = await connect('fin');
    fay.send({ type: 'send_message', room_id: room, content: 'flat', meta: { x: 1 } });
    fay.send({
      type: 'send_message',
      data: { room_id: room, content: 'enveloped', client_message_id: 'e-1' },
      request_id: 'r-7',
    });
    await fin.until(() => fin.of('message').length === 2);
    expect(fin.of('message').map((m) => [m.seq, m.content, m.meta])).toEqual([
      [1, 'flat', { x: 1 }],
      [2, 'enveloped', null],
    ]);
    const confirmation = await fay.next('message.sent');
    expect(confirmation).toMatchObject({ request_id: 'r-7', room_id: room, seq: 2 });
    const stored = await tenant.as('fin').get(`/rooms/${room}/messages`);
    expect(stored.body.map((m: any) => m.content)).toEqual(['flat', 'enveloped']);
    fay.close();
    fin.close();
  });

  it('acks, typing and presence reach the other members', async () => {
    const room = await createRoom(tenant.as('ida'), 'group', ['ian']);
    await send(room, 'ida', 'one');
    await send(room, 'ida', 'two');
    const ida = await connect('ida');
    const ian = await connect('ian');
    await ida.until((f) => f.some((x) => x.type === 'presence.update' && x.user_id === 'ian' && x.status === 'online'));

    ian.send({ type: 'ack', room_id: room, seq: 2 });
    expect(await ida.next('ack.received')).toEqual({ type: 'ack.received', room_id: room, user_id: 'ian', seq: 2 });
    const members = await tenant.as('ian').get(`/rooms/${room}/members`);
    expect(members.status).toBe(200);

    ian.send({ type: 'typing.start', room_id: room });
    expect(await ida.next('typing')).toEqual({ type: 'typing', room_id: room, user_id: 'ian', action: 'start' });
    ian.send({ type: 'typing.stop', data: { room_id: room } });
    expect(await ida.next('typing')).toEqual({ type: 'typing', room_id: room, user_id: 'ian', action: 'stop' });
    expect(ian.of('typing')).toEqual([]);

    ian.close();
    await ida.until(
      (f) => f.some((x) => x.type === 'presence.update' && x.user_id === 'ian' && x.status === 'offline'),
      3_000,
    );
    ida.close();
  });

  it('delivers notifications, including for topics subscribed over the socket', async () => {
    const nia = await connect('nia');
    nia.send({ type: 'subscribe', topic: 'news' });
    await sleep(150);
    await tenant
      .as('backend')
      .post('/notify', { topic: 'news', payload: { headline: 'hi' }, targets: { topic_subscribers: true } });
    const frame = await nia.next('notification');
    expect(frame).toMatchObject({ type: 'notification', topic: 'news', payload: { headline: 'hi' } });
    nia.send({ type: 'ack', notification_id: frame.notification_id });
    await sleep(150);
    nia.close();
    const again = await connect('nia');
    await sleep(300);
    expect(again.of('notification')).toEqual([]);
    again.close();
  });

  it('answers every bad frame with an error frame and keeps the socket open', async () => {
    const room = await createRoom(tenant.as('eli'), 'group', []);
    const foreign = await createRoom(tenant.as('other'), 'group', []);
    const eli = await connect('eli');
    const cases: Array<[unknown, string]> = [
      ['not json', 'VALIDATION_ERROR'],
      ['[1, 2]', 'VALIDATION_ERROR'],
      [{ no: 'type' }, 'VALIDATION_ERROR'],
      [{ type: 'dance' }, 'VALIDATION_ERROR'],
      [{ type: 'send_message', room_id: room }, 'VALIDATION_ERROR'],
      [{ type: 'send_message', content: 'no room' }, 'VALIDATION_ERROR'],
      [{ type: 'send_message', room_id: foreign, content: 'not a member' }, 'NOT_FOUND'],
      [{ type: 'send_message', room_id: room, content: 'x'.repeat(1001) }, 'PAYLOAD_TOO_LARGE'],
      [{ type: 'send_message', room_id: room, content: 'p'.repeat(300_000) }, 'PAYLOAD_TOO_LARGE'],
      [{ type: 'ack', room_id: room, seq: 99 }, 'VALIDATION_ERROR'],
      [{ type: 'ack', room_id: room, seq: 'one' }, 'VALIDATION_ERROR'],
      [{ type: 'typing.start' }, 'VALIDATION_ERROR'],
      [{ type: 'subscribe', room_id: foreign }, 'NOT_FOUND'],
    ];
    for (const [frame, code] of cases) {
      eli.send(frame);
      const error = await eli.next('error');
      expect(error.code, JSON.stringify(frame).slice(0, 80)).toBe(code);
      expect(typeof error.message).toBe('string');
    }
    eli.send({ type: 'dance', request_id: 'q1' });
    expect(await eli.next('error')).toMatchObject({ request_id: 'q1', code: 'VALIDATION_ERROR' });
    eli.send({ type: 'send_message', room_id: room, content: 'still open' });
    await eli.until(() => eli.of('message').length === 1);
    expect((await tenant.as('eli').get(`/rooms/${room}/messages`)).body.map((m: any) => m.content)).toEqual([
      'still open',
    ]);
    eli.close();
  });

  it('closes with 4401 for bad credentials', async () => {
    for (const query of ['', '?api_key=sk_wrong&user_id=a', `?api_key=${encodeURIComponent(tenant.apiKey)}`]) {
      const client = new LegacyClient(server, query);
      expect((await client.closed).code).toBe(4401);
    }
    const viaHeaders = new LegacyClient(server, '', { 'X-API-Key': tenant.apiKey, 'X-User-Id': 'hdr' });
    await viaHeaders.opened;
    viaHeaders.send({ type: 'dance' });
    await viaHeaders.next('error');
    viaHeaders.close();
  });
});
