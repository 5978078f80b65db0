import fs from 'node:fs/promises';
import { sampleValue, startAgent } from '/work/main/test/harness/agent-process.js';
import { startFakeZkServer, loadCapturedReplies } from '/work/main/test/harness/fake-zk-server.js';
const hung = [];
for (let i = 0; i < 300; i++) hung.push(await startFakeZkServer({ replies: {}, behaviour: 'hang' }));
const replies = await loadCapturedReplies('follower');
const ok = [];
for (let i = 0; i < 3; i++) ok.push(await startFakeZkServer({ replies }));
const lines = ['ensembles:', '  - name: hung', '    servers:', ...hung.map((s) => `      - "127.0.0.1:${s.port}"`), '  - name: real', '    servers:', ...ok.map((s) => `      - "127.0.0.1:${s.port}"`)];
await fs.writeFile('/tmp/sched/a.yaml', lines.join('\n') + '\n');
const agent = await startAgent(['--config', '/tmp/sched/a.yaml', '--log-level', 'error'], 60000);
const seen = [];
const t0 = Date.now();
while (Date.now() - t0 < 20000) {
  const text = await agent.metrics();
  const v = sampleValue(text, 'zookeeper_exporter_poll_last_success_timestamp_seconds', { ensemble: 'real', server: `127.0.0.1:${ok[0].port}`, command: 'srvr' });
  if (v !== undefined && seen.at(-1) !== v) seen.push(v);
  await new Promise((r) => setTimeout(r, 100));
}
console.log(seen.slice(1).map((v, i) => Math.round((v - seen[i]) * 1000)).join(' '));
await agent.stop();
for (const s of [...hung, ...ok]) await s.close();
