/**
 * Regenerates docs/status-page.png, the README's picture of the status page: a real 3-node ensemble on
 * loopback, the agent polling it every second, one leader failover (the leader killed, then started
 * again) so the chart and the transitions have something to show, then headless Chromium.
 * Run with `npm run screenshot` after `npm run build`; needs Debian's zookeeper and chromium packages.
 */
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startAgent, waitFor, type AgentProcess } from '../test/harness/agent-process.js';
import { ZkEnsemble } from '../test/harness/zookeeper.js';
import type { EnsembleState } from '../src/ensemble/types.js';

const OUT = path.resolve(import.meta.dirname, '..', 'docs', 'status-page.png');
/** Debian's build; the flags keep a headless browser from reaching for the network on its own. */
const CHROMIUM = {
  executablePath: '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
};

async function ensembleState(agent: AgentProcess): Promise<EnsembleState> {
  return agent.json<EnsembleState>('/api/v1/ensembles/kafka');
}

async function main(): Promise<void> {
  const ensemble = await ZkEnsemble.start({ voters: 3 });
  let agent: AgentProcess | undefined;
  const browser = await chromium.launch(CHROMIUM);
  try {
    await ensemble.waitServing();
    agent = await startAgent(['--ensemble', `kafka=${ensemble.connectString}`, '--interval', '1s', '--timeout', '500ms']);
    const running = agent;
    const healthy = (): Promise<EnsembleState | undefined> => ensembleState(running).then((s) => (s.quorum === 'healthy' ? s : undefined));
    await waitFor('a healthy quorum', healthy, 30_000);
    // Some history for the chart: 40 s of calm, the leader killed, a new one elected, the old one back.
    await new Promise((resolve) => setTimeout(resolve, 40_000));
    const leader = await waitFor('a leader', () => ensemble.leader());
    await leader.value.kill();
    await waitFor(
      'a new leader',
      async () => ((await ensembleState(running)).leader?.server !== leader.value.address ? true : undefined),
      30_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 15_000));
    leader.value.start();
    await waitFor('a healthy quorum again', healthy, 30_000);
    await new Promise((resolve) => setTimeout(resolve, 10_000));

    const page = await browser.newPage({ viewport: { width: 1100, height: 900 }, deviceScaleFactor: 1 });
    await page.goto(running.url);
    await page.locator('[data-ensemble="kafka"] [data-field="leader"]').waitFor();
    await page.screenshot({ path: OUT, fullPage: true });
    console.log(`wrote ${path.relative(process.cwd(), OUT)}`);
  } finally {
    await browser.close();
    await agent?.stop();
    await ensemble.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
