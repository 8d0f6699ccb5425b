import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { printSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../src/graphql/schema.js';

const root = path.resolve(import.meta.dirname, '..');

describe('contracts kept in files', () => {
  it('schema.graphql is current (run `npm run codegen` after changing the schema)', () => {
    const committed = readFileSync(path.join(root, 'schema.graphql'), 'utf8');
    expect(committed.trim()).toBe(printSchema(schema).trim());
  });

  it('the provider Prisma schemas are generated from prisma/models.prisma', () => {
    expect(() =>
      execFileSync(process.execPath, ['prisma/sync-schemas.mjs', '--check'], { cwd: root, stdio: 'pipe' }),
    ).not.toThrow();
  });
});
