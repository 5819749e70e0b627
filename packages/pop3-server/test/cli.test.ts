import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Pop3Wire } from '@popgate/pop3-server/testing';

const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));

describe('the demo CLI', () => {
  it('serves a generated corpus until it is interrupted', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', cli, '--port', '0', '--messages', '5'],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    try {
      const banner = await new Promise<string>((resolve, reject) => {
        let output = '';
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes('\n')) resolve(output);
        });
        child.once('exit', () => reject(new Error(`exited early: ${output}`)));
      });
      const port = Number(/127\.0\.0\.1:(\d+)/.exec(banner)?.[1]);
      expect(banner).toContain('5 messages for user / secret');
      const wire = await Pop3Wire.connect({ host: '127.0.0.1', port });
      await wire.command('USER user');
      await wire.command('PASS secret');
      expect(await wire.command('STAT')).toMatch(/^\+OK 5 \d+$/);
      expect(await wire.command('UIDL 1')).toBe('+OK 1 0001-dot-lines.eml');
      wire.close();
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
