// `npm run bench`: starts ChatAPI (the built dist/) on a temporary database and measures send
// throughput (REST and GraphQL, with wrk), fan-out latency over graphql-ws, memory per idle
// subscription, history paging and start-up time. Prints a table and one JSON line.
//
// Load generators run as separate processes (wrk; bench/load.mjs), never in the server's process.
// Options (environment): BENCH_SECONDS (default 10), BENCH_ONLY (comma list of measures to run),
// BENCH_IDLE_CONNECTIONS (default 2000).
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const only = process.env.BENCH_ONLY?.split(',');
const idleConnections = Number(process.env.BENCH_IDLE_CONNECTIONS ?? 2000);
const masterKey = randomBytes(24).toString('hex');

if (!existsSync(path.join(root, 'dist/chatapi.mjs'))) {
  console.error('bench: dist/ is missing; run `npm run build` (npm run bench does it for you)');
  process.exit(2);
}
try {
  execFileSync('wrk', ['--version'], { stdio: 'ignore' });
} catch (err) {
  if (err.code === 'ENOENT') {
    console.error('bench: wrk is not installed (Debian: apt-get install wrk)');
    process.exit(2);
  }
}

const freePort = () =>
  new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

async function startServer(env = {}, dataDir = mkdtempSync(path.join(os.tmpdir(), 'chatapi-bench-'))) {
  const port = await freePort();
  const started = performance.now();
  const proc = spawn(process.execPath, ['dist/chatapi.mjs'], {
    cwd: root,
    env: {
      ...process.env,
      LISTEN_ADDR: `127.0.0.1:${port}`,
      DATA_DIR: dataDir,
      MASTER_API_KEY: masterKey,
      LOG_LEVEL: 'warn',
      // Every load generator connects from 127.0.0.1 as a handful of users: lift the per-address
      // and per-user caps (and the total) that would otherwise refuse thousands of test sockets.
      MAX_CONNECTIONS: '100000',
      MAX_CONNECTIONS_PER_ADDRESS: '100000',
      MAX_CONNECTIONS_PER_TENANT: '100000',
      MAX_CONNECTIONS_PER_USER: '100000',
      MAX_SUBSCRIPTIONS_PER_USER: '100000',
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (proc.exitCode !== null) throw new Error('server exited during start-up');
    const ok = await fetch(`${url}/health`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  const startupMs = performance.now() - started;
  return {
    url,
    proc,
    dataDir,
    startupMs,
    rssKb: () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${proc.pid}/status`, 'utf8'))[1]),
    async stop(keepData = false) {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
      if (!keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function api(url, method, pathname, body, headers) {
  const res = await fetch(url + pathname, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  if (res.status >= 300) throw new Error(`${method} ${pathname}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/**
 * A tenant with a rate limit high enough not to be what is measured, and `rooms` rooms created
 * by user "bench" (who sends); `members(i)` lists the other members of room i.
 */
async function seed(url, rooms, members = () => []) {
  const admin = { 'x-master-key': masterKey };
  const tenant = await api(url, 'POST', '/admin/tenants', { name: 'Bench' }, admin);
  await api(url, 'PATCH', `/admin/tenants/${tenant.tenant_id}`, { rate_limit: 1_000_000 }, admin);
  const user = { 'x-api-key': tenant.api_key, 'x-user-id': 'bench' };
  const ids = [];
  for (let i = 0; i < rooms; i += 1) {
    const room = await api(url, 'POST', '/rooms', { type: 'channel', members: members(i) }, user);
    ids.push(room.room_id);
  }
  return { apiKey: tenant.api_key, rooms: ids, user };
}

function wrk(url, { threads, connections, script, env }) {
  const out = execFileSync(
    'wrk',
    [`-t${threads}`, `-c${connections}`, `-d${seconds}s`, '--latency', '-s', path.join(root, 'bench', script), url],
    {
      env: { ...process.env, ...env },
      encoding: 'utf8',
    },
  );
  const rate = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)[1]);
  const toMs = (v, unit) => Number(v) * { us: 0.001, ms: 1, s: 1000 }[unit];
  const p = (n) => {
    const m = new RegExp(`\\s${n}%\\s+([\\d.]+)(us|ms|s)`).exec(out);
    return m ? toMs(m[1], m[2]) : NaN;
  };
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const errors = non2xx + (socketErrors ? socketErrors.slice(1).reduce((a, b) => a + Number(b), 0) : 0);
  return { rate, p50: p(50), p99: p(99), errors };
}

function load(mode, options, { onReady } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'bench/load.mjs'), mode, JSON.stringify(options)], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', async (d) => {
      out += d;
      if (onReady && out.includes('ready')) {
        const value = await onReady();
        child.stdin.end('done\n');
        resolve(value);
      }
    });
    child.on('exit', (code) => {
      if (onReady) return;
      if (code !== 0) reject(new Error(`load ${mode} failed`));
      else resolve(JSON.parse(out.trim().split('\n').at(-1)));
    });
  });
}

const results = {};
const rows = [];
const want = (name) => !only || only.includes(name);
const fmt = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

async function sendBench(name, label, env, mode, target) {
  const server = await startServer(env);
  const { apiKey, rooms } = await seed(server.url, 4);
  // Warm up (JIT, caches) before measuring.
  wrk(server.url, {
    threads: 2,
    connections: 16,
    script: 'wrk-send.lua',
    env: { CHATAPI_KEY: apiKey, CHATAPI_ROOMS: rooms.join(','), CHATAPI_MODE: mode },
  });
  const r = wrk(server.url, {
    threads: 2,
    connections: 16,
    script: 'wrk-send.lua',
    env: { CHATAPI_KEY: apiKey, CHATAPI_ROOMS: rooms.join(','), CHATAPI_MODE: mode },
  });
  await server.stop();
  results[name] = r;
  rows.push([
    label,
    `${fmt(r.rate, 0)} msg/s, p50 ${fmt(r.p50, 2)} ms, p99 ${fmt(r.p99, 2)} ms, errors ${r.errors}`,
    target,
  ]);
}

if (want('send_rest'))
  await sendBench(
    'send_rest',
    'REST send, wrk -t2 -c16, 4 rooms (WAL, synchronous=NORMAL)',
    {},
    'rest',
    '>= 5000 msg/s, p99 <= 20 ms, 0 errors',
  );
if (want('send_rest_full'))
  await sendBench(
    'send_rest_full',
    'REST send, same, synchronous=FULL',
    { SQLITE_SYNCHRONOUS: 'FULL' },
    'rest',
    '>= 3000 msg/s',
  );
if (want('send_graphql'))
  await sendBench('send_graphql', 'GraphQL sendMessage over HTTP, same load', {}, 'graphql', '>= 3500 msg/s');

for (const [name, subscribers, rate, target] of [
  ['fanout_100x50', 100, 50, 'p99 <= 5 ms, none missing, in order'],
  ['fanout_500x20', 500, 20, 'p99 <= 10 ms'],
  ['fanout_50x500', 50, 500, 'p99 <= 20 ms, in order'],
]) {
  if (!want(name)) continue;
  const server = await startServer();
  const { apiKey, rooms } = await seed(server.url, 1, () => Array.from({ length: subscribers }, (_, i) => `sub${i}`));
  await load('fanout', {
    url: server.url,
    apiKey,
    roomId: rooms[0],
    subscribers,
    rate: Math.min(rate, 100),
    seconds: 2,
  }); // warm-up
  const r = await load('fanout', { url: server.url, apiKey, roomId: rooms[0], subscribers, rate, seconds });
  await server.stop();
  results[name] = r;
  rows.push([
    `fan-out, graphql-ws messageAdded, ${subscribers} subscribers x ${rate} msg/s`,
    `p50 ${fmt(r.p50, 2)} ms, p99 ${fmt(r.p99, 2)} ms, missing ${r.missing}, out of order ${r.outOfOrder} (send answered: p50 ${fmt(r.sendP50, 2)} ms)`,
    target,
  ]);
}

if (want('idle_memory')) {
  const server = await startServer();
  // Rooms of 500 members (the most one create call takes); connection i is user idle<i>.
  const { apiKey, rooms } = await seed(server.url, Math.ceil(idleConnections / 500), (r) =>
    Array.from({ length: Math.min(500, idleConnections - r * 500) }, (_, i) => `idle${r * 500 + i}`),
  );
  // Warm up the code paths with a few connections, then measure the steady state.
  await load('idle', { url: server.url, apiKey, rooms, connections: 100 }, { onReady: async () => {} });
  await new Promise((r) => setTimeout(r, 2000));
  const before = server.rssKb();
  const after = await load(
    'idle',
    { url: server.url, apiKey, rooms, connections: idleConnections },
    {
      onReady: async () => {
        await new Promise((r) => setTimeout(r, 3000));
        return server.rssKb();
      },
    },
  );
  await server.stop();
  const perConnection = ((after - before) * 1024) / idleConnections / 1024;
  results.idle_memory = {
    connections: idleConnections,
    rssBeforeKb: before,
    rssAfterKb: after,
    kbPerConnection: perConnection,
  };
  rows.push([
    `memory per idle graphql-ws connection with one subscription (${idleConnections}, RSS)`,
    `${fmt(perConnection, 1)} KB`,
    '<= 8 KB',
  ]);
}

if (want('history') || want('history_uncached')) {
  const server = await startServer();
  const { apiKey, rooms } = await seed(server.url, 1);
  // Fill the room: ~3 s of sends (tens of thousands of messages).
  const fill = { CHATAPI_KEY: apiKey, CHATAPI_ROOMS: rooms[0], CHATAPI_MODE: 'rest' };
  execFileSync('wrk', ['-t2', '-c16', '-d3s', '-s', path.join(root, 'bench/wrk-send.lua'), server.url], {
    env: { ...process.env, ...fill },
  });
  const { last_seq: lastSeq } = await api(server.url, 'GET', `/rooms/${rooms[0]}`, undefined, {
    'x-api-key': apiKey,
    'x-user-id': 'bench',
  });
  const read = (env) =>
    wrk(server.url, {
      threads: 2,
      connections: 4,
      script: 'wrk-history.lua',
      env: { CHATAPI_KEY: apiKey, CHATAPI_ROOM: rooms[0], ...env },
    });
  if (want('history')) {
    read({});
    const r = read({});
    results.history = r;
    rows.push([
      'history, GET .../messages?after_seq=0&limit=100, 4 readers',
      `${fmt(r.rate, 0)} pages/s, p99 ${fmt(r.p99, 2)} ms, errors ${r.errors}`,
      '>= 2000 pages/s',
    ]);
  }
  if (want('history_uncached')) {
    const r = read({ CHATAPI_MAX_SEQ: String(lastSeq) });
    results.history_uncached = { ...r, messages: lastSeq };
    rows.push([
      `history, random after_seq over ${lastSeq} messages (mostly unread pages), 4 readers`,
      `${fmt(r.rate, 0)} pages/s, p99 ${fmt(r.p99, 2)} ms, errors ${r.errors}`,
      '(no target; the read path without the page cache)',
    ]);
  }
  await server.stop();
}

if (want('startup')) {
  // Installed and migrated: start once to create the database, then time a restart on it.
  const first = await startServer();
  await first.stop(true);
  const times = [];
  for (let i = 0; i < 3; i += 1) {
    const again = await startServer({}, first.dataDir);
    times.push(again.startupMs);
    await again.stop(true);
  }
  rmSync(first.dataDir, { recursive: true, force: true });
  results.startup = { ms: Math.min(...times), runs: times };
  rows.push([
    'start-up to first healthy /health (migrated database)',
    `${fmt(Math.min(...times), 0)} ms (best of 3)`,
    '<= 1000 ms',
  ]);
}

const machine = `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
console.log(`\nChatAPI benchmark (${machine}; ${seconds} s per measure; load generator on the same machine)\n`);
const widths = [0, 1, 2].map((i) =>
  Math.max(...rows.map((r) => r[i].length), ['measure', 'result', 'target'][i].length),
);
const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
console.log(line(['measure', 'result', 'target']));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const row of rows) console.log(line(row));
console.log(`\nBENCH_JSON ${JSON.stringify({ machine, seconds, results })}`);
