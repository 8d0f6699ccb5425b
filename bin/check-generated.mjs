// `npm run check:generated`: fails when a committed generated file differs from what its generator
// writes now (schema.graphql and test/gql from codegen.ts; prisma/<provider>/schema.prisma from
// prisma/models.prisma). Nothing is written: codegen runs in memory. Run with `node --import tsx`
// (codegen.ts imports the TypeScript schema).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { generate } from '@graphql-codegen/cli';

const root = path.resolve(import.meta.dirname, '..');
process.chdir(root);
const stale = [];

const { default: codegenConfig } = await import(path.join(root, 'codegen.ts'));
const outputs = await generate({ ...codegenConfig, cwd: root, silent: true }, false);
for (const { filename, content } of outputs) {
  const file = path.resolve(root, filename);
  let committed;
  try {
    committed = readFileSync(file, 'utf8');
  } catch {
    committed = undefined;
  }
  if (committed !== content) stale.push(`${path.relative(root, file)} (run npm run codegen)`);
}

try {
  execFileSync(process.execPath, ['prisma/sync-schemas.mjs', '--check'], { cwd: root, stdio: 'pipe' });
} catch (err) {
  const said = String(err.stderr ?? '').trim();
  stale.push(said || 'prisma/<provider>/schema.prisma is stale: run npm run prisma:generate');
}

if (stale.length > 0) {
  console.error(`Generated files are stale:\n${stale.map((s) => `  - ${s}`).join('\n')}`);
  process.exit(1);
}
console.log('Generated files are up to date.');
