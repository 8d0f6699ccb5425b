// The load generator for fan-out and idle-connection measurements, run as its own process so it
// does not share an event loop with the server it measures. Speaks graphql-transport-ws by hand
// over `ws` (cheaper than a full client), and sends over HTTP keep-alive.
//
//   node bench/load.mjs fanout <json options>   -> prints one JSON line with latency figures
//   node bench/load.mjs idle <json options>     -> opens N subscriptions, prints "ready", waits for stdin
import http from 'node:http';
import WebSocket from 'ws';

const [mode, raw] = process.argv.slice(2);
const options = JSON.parse(raw);
const now = () => performance.timeOrigin + performance.now();

function subscriber({ url, apiKey, userId, roomId, onMessage }) {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url.replace(/^http/, 'ws') + '/graphql', 'graphql-transport-ws', {
      perMessageDeflate: false,
      skipUTF8Validation: true,
    });
    let acked = false;
    socket.on('error', reject);
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { apiKey, userId } })));
    socket.on('message', (data) => {
      const at = now();
      if (acked) {
        // Hot path: pick seq and the timestamp out of the frame without parsing all of it, so the
        // load generator stays cheap next to the server it measures.
        const text = data.toString();
        const seqAt = text.indexOf('"seq":');
        const contentAt = text.indexOf('"content":"');
        if (seqAt >= 0 && contentAt >= 0) {
          onMessage?.(
            {
              seq: parseInt(text.slice(seqAt + 6, seqAt + 20), 10),
              sentAt: parseFloat(text.slice(contentAt + 11, contentAt + 40)),
            },
            at,
          );
          return;
        }
      }
      const frame = JSON.parse(data);
      if (frame.type === 'connection_ack') {
        acked = true;
        socket.send(
          JSON.stringify({
            id: '1',
            type: 'subscribe',
            payload: {
              query: 'subscription($r: ID!) { messageAdded(roomId: $r) { seq content } }',
              variables: { r: roomId },
            },
          }),
        );
        // The server subscribes before it answers anything: give it a moment to attach.
        setTimeout(() => resolve(socket), 50);
      } else if (frame.type === 'error') {
        reject(new Error(JSON.stringify(frame.payload)));
      }
    });
  });
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
function send(url, apiKey, roomId, content) {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ content });
    const req = http.request(
      `${url}/rooms/${roomId}/messages`,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'x-api-key': apiKey,
          'x-user-id': 'bench',
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 201 ? resolve() : reject(new Error(`send: ${res.statusCode}`))));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function openAll(count, make) {
  const sockets = [];
  // A few at a time: the server authenticates each (one key lookup, cached after the first).
  for (let i = 0; i < count; i += 50)
    sockets.push(...(await Promise.all(Array.from({ length: Math.min(50, count - i) }, (_, j) => make(i + j)))));
  return sockets;
}

if (mode === 'fanout') {
  const { url, apiKey, roomId, subscribers, rate, seconds } = options;
  const latencies = [];
  const lastSeq = new Array(subscribers).fill(0);
  let outOfOrder = 0;
  const received = new Array(subscribers).fill(0);
  const sockets = await openAll(subscribers, (i) =>
    subscriber({
      url,
      apiKey,
      userId: `sub${i}`,
      roomId,
      onMessage: (m, at) => {
        latencies.push(at - m.sentAt);
        if (lastSeq[i] !== 0 && m.seq !== lastSeq[i] + 1) outOfOrder += 1;
        lastSeq[i] = m.seq;
        received[i] += 1;
      },
    }),
  );
  const total = Math.round(rate * seconds);
  const pad = 'p'.repeat(40);
  const started = now();
  const sends = [];
  const sendLatencies = [];
  for (let i = 0; i < total; i += 1) {
    const due = started + (i * 1000) / rate;
    const wait = due - now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const at = now();
    sends.push(
      send(url, apiKey, roomId, `${at.toFixed(3)} ${pad}`.slice(0, 64)).then(() => sendLatencies.push(now() - at)),
    );
  }
  await Promise.all(sends);
  const deadline = now() + 10_000;
  while (received.some((n) => n < total) && now() < deadline) await new Promise((r) => setTimeout(r, 50));
  latencies.sort((a, b) => a - b);
  sendLatencies.sort((a, b) => a - b);
  const missing = received.reduce((sum, n) => sum + (total - n), 0);
  for (const s of sockets) s.terminate();
  agent.destroy();
  console.log(
    JSON.stringify({
      subscribers,
      rate,
      sent: total,
      delivered: latencies.length,
      missing,
      outOfOrder,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: latencies.at(-1),
      sendP50: percentile(sendLatencies, 50),
      sendP99: percentile(sendLatencies, 99),
    }),
  );
  process.exit(0);
} else if (mode === 'idle') {
  const { url, apiKey, rooms, connections } = options;
  const sockets = await openAll(connections, (i) =>
    subscriber({ url, apiKey, userId: `idle${i}`, roomId: rooms[Math.floor(i / 500)] }),
  );
  console.log('ready');
  process.stdin.once('data', () => {
    for (const s of sockets) s.terminate();
    process.exit(0);
  });
} else {
  console.error(`unknown mode ${mode}`);
  process.exit(2);
}
