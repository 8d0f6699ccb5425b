// Prisma CLI configuration for the PostgreSQL provider (see ../sqlite/prisma.config.ts).
import path from 'node:path';
import { defineConfig } from 'prisma/config';
import { PrismaPg } from '@prisma/adapter-pg';

export default defineConfig({
  schema: path.join(import.meta.dirname, 'schema.prisma'),
  engine: 'js',
  experimental: { adapter: true },
  adapter: async () =>
    new PrismaPg({
      connectionString: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
    }),
});
