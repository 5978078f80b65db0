/**
 * The status page in a real browser (Debian's headless Chromium through playwright-core) against a real
 * 3-voter ensemble and a real agent polling every second: the page shows the leader the nodes state,
 * follows a leader failover without a reload, lists the dry-run hook deliveries, hides them without
 * hooks, and logs no console error. Ground truth comes from the nodes themselves, never from the agent.
 */
import fs from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnsembleState } from '../../src/ensemble/types.js';
import { startAgent, type AgentProcess } from '../harness/agent-process.js';
import { waitFor } from '../harness/wait.js';
import { ZkEnsemble, zookeeperInstalled } from '../harness/zookeeper.js';

const CHROMIUM_PATH = '/usr/bin/chromium';
/** Without the networking flags a headless Chromium keeps trying to reach its update and sync services. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const AGENT_FLAGS = ['--interval', '1s', '--timeout', '500ms'];
/** What the page must meet: a failover shown within 2 s of the leader's death, without a reload. */
const FAILOVER_DEADLINE_MS = 2000;
// Slack for a loaded 2-core machine (JVM start-up of the others, GC pauses, the browser itself), as
// the other live tests allow; the measured time is printed so a drift shows before it fails.
const SLACK_MS = 1500;

const CARD = '[data-ensemble="local"]';

let ensemble: ZkEnsemble;
let agent: AgentProcess;
let browser: Browser;
let page: Page;
const browserErrors: string[] = [];

/** Text of one `data-field` of the ensemble's card, or undefined while the card is not drawn. */
async function field(name: string, on: Page = page): Promise<string | undefined> {
  const locator = on.locator(`${CARD} [data-field="${name}"]`);
  return (await locator.count()) === 0 ? undefined : ((await locator.textContent()) ?? undefined);
}

/** Opens a page on `url`, recording console errors and uncaught exceptions. */
async function openPage(url: string): Promise<Page> {
  const opened = await browser.newPage();
  opened.on('console', (message) => {
    if (message.type() === 'error') browserErrors.push(`console: ${message.text()}`);
  });
  opened.on('pageerror', (err) => browserErrors.push(`pageerror: ${err.message}`));
  await opened.goto(url);
  return opened;
}

describe.skipIf(!zookeeperInstalled() || !fs.existsSync(CHROMIUM_PATH))('status page in a browser', () => {
  beforeAll(async () => {
    ensemble = await ZkEnsemble.start({ voters: 3 });
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    await ensemble.waitServing();
    // Hooks in dry-run: every decision is recorded in the audit trail the page lists, nothing is sent
    // (the URL is never called).
    agent = await startAgent([
      '--ensemble',
      `local=${ensemble.connectString}`,
      ...AGENT_FLAGS,
      '--dry-run',
      '--hook-url',
      'http://127.0.0.1:9/hook',
    ]);
    page = await openPage(agent.url);
  });

  afterAll(async () => {
    await browser?.close();
    await agent?.stop();
    await ensemble?.stop();
  });

  it('shows the leader the nodes state, every node, and a healthy quorum', async () => {
    const leader = (await waitFor('a leader', () => ensemble.leader())).value;
    await waitFor('the page to show the leader', async () =>
      (await field('leader'))?.includes(leader.address) && (await field('quorum')) === 'healthy' ? true : undefined,
    );
    expect(await field('epoch')).toMatch(/^\d+$/);
    expect(await field('margin')).toBe('3/3 voters healthy · majority 2 · margin +1');
    const rows = page.locator(`${CARD} table.nodes tbody tr`);
    expect(await rows.count()).toBe(3);
    expect(await page.locator(`${CARD} tr[data-role="leader"]`).getAttribute('data-server')).toBe(leader.address);
    expect(await page.locator(`${CARD} svg.chart rect.q-healthy`).count()).toBeGreaterThan(0);
    expect(await page.locator('#hooks').isVisible()).toBe(true);
  });

  it('after the leader is killed shows the new leader and at_risk within 2 s, without a reload', async () => {
    const old = (await waitFor('a leader', () => ensemble.leader())).value;
    // A reload would lose this marker.
    await page.evaluate(() => Object.assign(globalThis, { statusPageMarker: 'kept' }));
    const killedAt = Date.now();
    await old.kill();
    // When the agent's own API first had it, to tell the page's delay from the agent's.
    let apiAt: number | undefined;
    const shown = await waitFor(
      'the page to show a new leader and at_risk',
      async () => {
        if (apiAt === undefined) {
          const api = await agent.json<EnsembleState>('/api/v1/ensembles/local');
          if (api.quorum === 'at_risk' && api.leader !== undefined && api.leader.server !== old.address) apiAt = Date.now();
        }
        const leader = await field('leader');
        // A round can already count the unseen leader the serving followers prove (at_risk) before one answers as leader.
        if ((await field('quorum')) !== 'at_risk' || !/^127\.0\.0\.1:\d+/.test(leader ?? '') || leader?.includes(old.address))
          return undefined;
        return leader;
      },
      FAILOVER_DEADLINE_MS + SLACK_MS,
      50,
    );
    const elapsed = Date.now() - killedAt;
    console.log(
      `status page showed the new leader ${elapsed} ms after the kill (the API: ${apiAt === undefined ? 'not before the page' : `${apiAt - killedAt} ms`})`,
    );
    const truth = (await waitFor('the new leader among the nodes', () => ensemble.leader())).value;
    expect(shown.value).toContain(truth.address);
    expect(await page.evaluate(() => (globalThis as { statusPageMarker?: string }).statusPageMarker)).toBe('kept');
    expect(await page.locator(`${CARD} tr[data-server="${old.address}"] td.reason`).textContent()).not.toBe('');
    expect(await page.locator(`${CARD} ol.transitions`).textContent()).toContain('leader');
    expect(elapsed).toBeLessThanOrEqual(FAILOVER_DEADLINE_MS + SLACK_MS);
    // Pushed, not polled: the page trails the agent's own API by well under one 1 s round.
    expect(killedAt + elapsed - (apiAt ?? killedAt + elapsed)).toBeLessThan(1000);
  });

  it('lists the hook decisions the failover caused', async () => {
    // The deliveries table is read every 2 s; the dry-run result is recorded in the round that saw the change.
    await waitFor(
      'a quorum hook in the deliveries table',
      async () => ((await page.locator('#deliveries').textContent())?.includes('quorum_') ? true : undefined),
      10_000,
    );
    expect(await page.locator('#deliveries-empty').isVisible()).toBe(false);
  });

  it('hides the deliveries without hooks', async () => {
    const plain = await startAgent(['--ensemble', `local=${ensemble.connectString}`, ...AGENT_FLAGS]);
    try {
      const other = await openPage(plain.url);
      await waitFor('the card', async () => ((await field('leader', other)) !== undefined ? true : undefined));
      expect(await other.locator('#hooks').isHidden()).toBe(true);
      await other.close();
    } finally {
      await plain.stop();
    }
  });

  it('logged no console error and threw nothing', () => {
    expect(browserErrors).toStrictEqual([]);
  });
});
