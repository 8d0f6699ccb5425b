import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const src = path.resolve(import.meta.dirname, '../../src');

/** Every source file under src/ (generated Prisma client excluded), relative to src/. */
function sourceFiles(dir = src): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'generated' ? [] : sourceFiles(full);
    return entry.name.endsWith('.ts') ? [path.relative(src, full)] : [];
  });
}

/** The src/-relative files `file` imports (relative imports only). */
function importsOf(file: string): string[] {
  const text = readFileSync(path.join(src, file), 'utf8');
  const specifiers = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]/g)].map(
    (m) => m[1]!,
  );
  return specifiers.map((s) =>
    path.relative(src, path.resolve(path.dirname(path.join(src, file)), s)).replace(/\.js$/, '.ts'),
  );
}

const files = sourceFiles();
const violations = (from: (file: string) => boolean, to: (target: string) => boolean) =>
  files.filter(from).flatMap((file) =>
    importsOf(file)
      .filter(to)
      .map((target) => `${file} -> ${target}`),
  );
const under = (folder: string) => (file: string) => file.startsWith(`${folder}/`);

describe('import directions', () => {
  it('reads the imports of the tree', () => {
    expect(files).toContain('app.ts');
    expect(importsOf('app.ts')).toContain('config.ts');
  });

  it('services never import graphql, rest, realtime or http', () => {
    expect(
      violations(under('services'), (t) => ['graphql', 'rest', 'realtime', 'http'].some((f) => under(f)(t))),
    ).toEqual([]);
  });

  it('auth never imports services', () => {
    expect(violations(under('auth'), under('services'))).toEqual([]);
  });

  it('graphql never imports rest', () => {
    expect(violations(under('graphql'), under('rest'))).toEqual([]);
  });

  it('rest/admin.ts and rest/routes.ts never import each other', () => {
    expect(
      violations(
        (f) => f === 'rest/admin.ts',
        (t) => t === 'rest/routes.ts',
      ),
    ).toEqual([]);
    expect(
      violations(
        (f) => f === 'rest/routes.ts',
        (t) => t === 'rest/admin.ts',
      ),
    ).toEqual([]);
  });
});
