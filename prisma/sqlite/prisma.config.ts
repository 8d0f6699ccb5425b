// Prisma CLI configuration for the SQLite provider. `engine: "js"` keeps the CLI on its bundled
// WASM engines, so nothing is downloaded (the native engines are unreachable offline).
import path from 'node:path';
import { defineConfig } from 'prisma/config';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';

export default defineConfig({
  schema: path.join(import.meta.dirname, 'schema.prisma'),
  engine: 'js',
  experimental: { adapter: true },
  adapter: async () => new PrismaBetterSQLite3({ url: process.env.DATABASE_URL ?? 'file:./data/chatapi.db' }),
});
