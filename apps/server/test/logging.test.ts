import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMigratedDatabase, dropDatabase } from './support/databases';
import { buildServer, startOnTerminal, startServer } from './support/server-process';

// eslint-disable-next-line no-control-regex
const withoutColours = (text: string) => text.replace(/\u001b\[[0-9;]*m/g, '');

describe('the log of a running Popgate', () => {
  let database: { name: string; url: string };
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'popgate-logging-'));
  beforeAll(async () => {
    buildServer();
    database = await createMigratedDatabase('popgate_test_logging');
  });
  afterAll(async () => {
    await dropDatabase(database.name);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  const env = () => ({ DATABASE_URL: database.url, POPGATE_DATA_DIR: dataDir, LOG_LEVEL: 'info' });

  it('prints lines a person reads (time, level, message) when it runs in a terminal', async () => {
    const server = await startOnTerminal(env());
    await server.stop('SIGTERM');
    const lines = withoutColours(server.output()).split(/\r?\n/);
    expect(lines.some((line) => /^\[\d\d:\d\d:\d\d\] INFO: database ready/.test(line))).toBe(true);
    expect(lines.some((line) => /^\s*database: "external"/.test(line))).toBe(true);
    expect(lines.filter((line) => line.trimStart().startsWith('{"level"'))).toEqual([]);
  });

  it('prints one JSON object a line when its output goes to a file or a pipe', async () => {
    const server = await startServer(env());
    await server.stop('SIGTERM');
    const entries = server
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { level: number; msg: string; database?: string });
    expect(entries).toContainEqual(
      expect.objectContaining({ level: 30, msg: 'database ready', database: 'external' }),
    );
  });
});
