// Summarises a V8 CPU profile (node --cpu-prof): self time by function and by package, so the
// performance notes can say where the time goes. Usage: node bench/profile.mjs <file.cpuprofile> [top]
import { readFileSync } from 'node:fs';

const [file, topArg] = process.argv.slice(2);
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map();
const dt = profile.timeDeltas;
for (let i = 0; i < profile.samples.length; i += 1) {
  const id = profile.samples[i];
  self.set(id, (self.get(id) ?? 0) + (dt[i] ?? 0));
}
const total = [...self.values()].reduce((a, b) => a + b, 0);
const fnTotals = new Map();
const pkgTotals = new Map();
for (const [id, us] of self) {
  const { callFrame: f } = byId.get(id);
  const where = f.url.replace(/^file:\/\//, '');
  const pkg =
    /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(where)?.[1] ??
    (where.includes('/dist/src/')
      ? 'chatapi'
      : where.startsWith('node:') || where === ''
        ? f.functionName.startsWith('(')
          ? f.functionName
          : 'node'
        : 'other');
  const name = `${f.functionName || '(anonymous)'} ${where.split('/').slice(-2).join('/')}:${f.lineNumber + 1}`;
  fnTotals.set(name, (fnTotals.get(name) ?? 0) + us);
  pkgTotals.set(pkg, (pkgTotals.get(pkg) ?? 0) + us);
}
const show = (title, map, n) => {
  console.log(`\n${title}`);
  for (const [k, v] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n))
    console.log(`${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
};
// Inclusive time: a function's own samples plus everything it called (counted once per sample).
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const inclusive = new Map();
for (const [id, us] of self) {
  const seen = new Set();
  for (let at = id; at !== undefined; at = parent.get(at)) {
    const f = byId.get(at).callFrame;
    const name = `${f.functionName || '(anonymous)'} ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber + 1}`;
    if (seen.has(name)) continue;
    seen.add(name);
    inclusive.set(name, (inclusive.get(name) ?? 0) + us);
  }
}
console.log(`total sampled: ${(total / 1e6).toFixed(2)} s`);
{
  // Inclusive time of the functions matching the filter.
  const pattern = process.argv[4] ? new RegExp(process.argv[4]) : /dist\/src/;
  const rows = [...inclusive]
    .filter(([k]) => pattern.test(k))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top);
  console.log('\ninclusive time (functions matching the filter)');
  for (const [k, v] of rows) console.log(`${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
}
show('self time by package', pkgTotals, 15);
show('self time by function', fnTotals, top);
