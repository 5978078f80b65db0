import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import { startAgent } from '../test/harness/agent-process.js';
const child = spawn(process.execPath, ['--import', 'tsx', 'bench/fake-fleet.ts', '1000'], { stdio: ['pipe', 'pipe', 'inherit'] });
let out = ''; let accepted = 0;
const ports: number[] = await new Promise((resolve) => child.stdout.on('data', (d: Buffer) => { out += d.toString(); for (let nl = out.indexOf('\n'); nl >= 0; nl = out.indexOf('\n')) { const l = JSON.parse(out.slice(0, nl)); out = out.slice(nl + 1); if (l.ports) resolve(l.ports); else if (l.accepted) accepted = l.accepted; } }));
const lines = ['ensembles:'];
for (let i = 0; i < ports.length; i += 5) { lines.push(`  - name: b${i}`); lines.push(`    servers: [${ports.slice(i, i + 5).map((p) => `"127.0.0.1:${p}"`).join(', ')}]`); }
await fs.writeFile('/tmp/sched/dbg.yaml', lines.join('\n') + '\n');
const agent = await startAgent(['--config', '/tmp/sched/dbg.yaml', '--fast-interval', '5s', '--log-level', 'error'], 120000);
const a0 = accepted; const t0 = Date.now();
await new Promise((r) => setTimeout(r, 15000));
console.log('accepted/s', ((accepted - a0) / ((Date.now() - t0) / 1000)).toFixed(0));
const text = await agent.metrics();
console.log(text.split('\n').filter((l) => /^zookeeper_exporter_(rounds|round_duration_seconds_(sum|count))/.test(l)).join('\n'));
const reasons: Record<string, number> = {};
for (const l of text.split('\n')) { const m = /^zookeeper_exporter_command_result\{.*command="(\w+)".*reason="(\w+)".*\} 1/.exec(l); if (m) reasons[`${m[1]} ${m[2]}`] = (reasons[`${m[1]} ${m[2]}`] ?? 0) + 1; }
console.log(reasons);
console.log(text.split('\n').filter((l) => l.startsWith('zookeeper_up{')).length, 'up series');
await agent.stop(); child.kill('SIGTERM');
