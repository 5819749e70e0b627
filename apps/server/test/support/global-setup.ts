import type { TestProject } from 'vitest/node';
import { applyMigrations } from '../../src/db/migrations';
import { migrationsDir } from '../../src/paths';
import { allowAnyPort, createDatabase, dropDatabase, openSignUp } from './databases';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

/** One migrated database for this run's server tests; dropped when the run ends. */
export default async function setup(project: TestProject) {
  const { name, url } = await createDatabase('popgate_test_run');
  await applyMigrations(url, migrationsDir());
  await allowAnyPort(url);
  await openSignUp(url);
  project.provide('databaseUrl', url);
  return async () => {
    await dropDatabase(name);
  };
}
