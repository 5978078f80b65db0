import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeSample } from '../../../src/commands/index.js';
import { createProbeRouter } from '../../../src/http/probe.js';
import type { ServerTarget } from '../../../src/model/target.js';
import { capturedSample, failedSample } from '../metrics/captured.js';

const calls: Array<{ ensemble: string; targets: readonly ServerTarget[]; deadline: number }> = [];
let server: http.Server;
let url: string;
const NOW = 1_700_000_000_000;

beforeAll(async () => {
  const app = express();
  app.use(
    createProbeRouter({
      contentType: 'text/plain; version=0.0.4; charset=utf-8',
      now: () => NOW,
      poll(ensemble, targets, deadline): Promise<NodeSample[]> {
        calls.push({ ensemble, targets, deadline });
        const samples = targets.map((t, i) =>
          i === 0
            ? capturedSample('leader', `${t.host}:${t.port}`, NOW, ensemble)
            : failedSample(`${t.host}:${t.port}`, 'refused', NOW, ensemble),
        );
        return Promise.resolve(samples);
      },
    }),
  );
  server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('GET /probe', () => {
  it('polls the targets once within the scrape timeout minus the margin and answers the exposition', async () => {
    calls.length = 0;
    const res = await fetch(`${url}/probe?target=a:2181,b:2181&ensemble=kafka`, {
      headers: { 'X-Prometheus-Scrape-Timeout-Seconds': '4' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const body = await res.text();
    expect(body).toContain('\nprobe_success 1\n');
    expect(body).toContain('\nzookeeper_up{ensemble="kafka",server="b:2181"} 0\n');
    expect(calls).toEqual([
      {
        ensemble: 'kafka',
        targets: [
          { host: 'a', port: 2181 },
          { host: 'b', port: 2181 },
        ],
        deadline: NOW + 3500,
      },
    ]);
  });

  it.each([
    ['?target=a:2181', 'missing ensemble parameter: ensemble=NAME (the ensemble label of every series)\n'],
    ['?target=a&ensemble=e', 'bad target: "a" has no port; expected HOST:PORT\n'],
    [`?target=${Array.from({ length: 16 }, (_, i) => `h${i}:1`).join(',')}&ensemble=e`, 'too many targets: 16, at most 15\n'],
  ])('answers 400 with a plain-text reason for %s, polling nothing', async (query, reason) => {
    calls.length = 0;
    const res = await fetch(`${url}/probe${query}`);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toBe(reason);
    expect(calls).toEqual([]);
  });
});
