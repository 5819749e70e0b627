import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, dropDatabase } from './support/databases';
import { testApp } from './support/app';

describe('operations endpoints', () => {
  let subject: Awaited<ReturnType<typeof testApp>>;
  beforeAll(async () => {
    subject = await testApp();
  });
  afterAll(() => subject.close());

  it('answers /healthz while the process is up', async () => {
    const response = await subject.app.inject({ url: '/healthz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
  });

  it('answers /readyz 200 when the database is reachable and migrated', async () => {
    const response = await subject.app.inject({ url: '/readyz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ status: 'ready' });
  });

  it('serves Prometheus metrics that count requests by route', async () => {
    await subject.app.inject({ url: '/healthz' });
    const response = await subject.app.inject({ url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/plain');
    expect(response.body).toContain('popgate_process_cpu_user_seconds_total');
    expect(response.body).toMatch(
      /popgate_http_requests_total\{method="GET",route="\/healthz",status="200"\} \d+/,
    );
  });

  it('serves the sync metrics an operator watches: checks, failures, lateness, sessions, backlog', async () => {
    const response = await subject.app.inject({ url: '/metrics' });
    for (const name of [
      'popgate_sync_polls_total',
      'popgate_sync_failures_total',
      'popgate_sync_lateness_seconds_bucket',
      'popgate_sync_sessions_in_flight',
      'popgate_sync_accounts_due',
    ])
      expect(response.body).toContain(name);
    expect(response.body).toMatch(/popgate_sync_accounts_due \d+/);
  });

  it('answers unknown API paths with a JSON 404', async () => {
    const response = await subject.app.inject({
      url: '/api/nothing-here',
      headers: { accept: 'text/html' },
    });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({
      error: { code: 'NOT_FOUND', message: 'No route for GET /api/nothing-here' },
    });
  });
});

describe('readiness', () => {
  it('answers 503 naming the pending migrations when the database is not migrated', async () => {
    const { name, url } = await createDatabase('popgate_test_unmigrated');
    const subject = await testApp({ databaseUrl: url });
    try {
      const response = await subject.app.inject({ url: '/readyz' });
      expect(response.statusCode).toBe(503);
      expect(response.json().status).toBe('migrating');
      expect(response.json().pending.length).toBeGreaterThan(0);
    } finally {
      await subject.close();
      await dropDatabase(name);
    }
  });

  it('answers 503 when the database cannot be reached', async () => {
    const subject = await testApp({ databaseUrl: 'postgresql://postgres@127.0.0.1:1/none' });
    try {
      const response = await subject.app.inject({ url: '/readyz' });
      expect(response.statusCode).toBe(503);
      expect(response.json().status).toBe('unavailable');
    } finally {
      await subject.close();
    }
  });
});

describe('the web app', () => {
  let subject: Awaited<ReturnType<typeof testApp>>;
  beforeAll(async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'popgate-web-'));
    fs.writeFileSync(
      path.join(root, 'index.html'),
      '<!doctype html><title>Popgate</title><div id="app"></div>',
    );
    fs.mkdirSync(path.join(root, 'assets'));
    fs.writeFileSync(path.join(root, 'assets', 'app.js'), 'console.log(1)');
    subject = await testApp({ webRoot: root });
  });
  afterAll(() => subject.close());

  it('is served at /', async () => {
    const response = await subject.app.inject({ url: '/' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/html');
    expect(response.body).toContain('<div id="app">');
  });

  it('serves its assets', async () => {
    const response = await subject.app.inject({ url: '/assets/app.js' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('javascript');
  });

  it('answers a reload of a client-side route with the app', async () => {
    const response = await subject.app.inject({
      url: '/mail/inbox',
      headers: { accept: 'text/html' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('<div id="app">');
  });

  it('does not answer a missing asset with the app', async () => {
    const response = await subject.app.inject({
      url: '/assets/missing.js',
      headers: { accept: '*/*' },
    });
    expect(response.statusCode).toBe(404);
  });
});
