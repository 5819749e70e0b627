import { defineConfig } from 'prisma/config';

// Prisma 7 reads no .env file; the placeholder keeps `prisma generate` working without a database.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/popgate' },
});
