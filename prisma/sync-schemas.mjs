// Writes prisma/<provider>/schema.prisma from prisma/models.prisma. `--check` exits 1 when a
// provider copy is stale, so CI notices a model edited in the wrong place.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const models = readFileSync(join(here, 'models.prisma'), 'utf8');
const providers = {
  sqlite: 'file:../../data/chatapi.db',
  postgresql: 'postgresql://postgres@127.0.0.1:5432/chatapi',
};

let stale = false;
for (const [provider, url] of Object.entries(providers)) {
  const text = `// GENERATED from prisma/models.prisma by prisma/sync-schemas.mjs. Do not edit.

generator client {
  provider               = "prisma-client"
  output                 = "../../src/db/generated/${provider}"
  engineType             = "client"
  moduleFormat           = "esm"
  importFileExtension    = "js"
  generatedFileExtension = "ts"
}

datasource db {
  provider = "${provider}"
  // Only the Prisma CLI reads this; ChatAPI connects through a driver adapter built from its config.
  url      = "${url}"
}

${models}`;
  const path = join(here, provider, 'schema.prisma');
  let current = '';
  try {
    current = readFileSync(path, 'utf8');
  } catch {}
  if (current === text) continue;
  if (process.argv.includes('--check')) {
    console.error(`${path} is stale: run npm run prisma:generate`);
    stale = true;
  } else {
    writeFileSync(path, text);
  }
}
process.exit(stale ? 1 : 0);
