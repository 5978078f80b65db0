/**
 * Soak run of the write canary (not a test, nothing asserted): a real healthy 3-node ensemble, one
 * canary write and read-back per second through every node, for N minutes. Every round in which no
 * write committed is a false stall (the ensemble is healthy throughout), as is every failed probe.
 *
 *   npx tsx bench/canary-soak.ts              # 10 minutes
 *   npx tsx bench/canary-soak.ts --minutes 1
 */
import { CanaryRunner } from '../src/zk/canary-runner.js';
import type { CanaryRound } from '../src/zk/canary-types.js';
import { ZkEnsemble } from '../test/harness/zookeeper.js';

function minutesArg(argv: readonly string[]): number {
  const at = argv.indexOf('--minutes');
  const value = at === -1 ? 10 : Number(argv[at + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new Error('--minutes takes a positive number');
  return value;
}

/** The q-quantile of sorted values (nearest rank). */
function quantile(sorted: readonly number[], q: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

async function main(): Promise<void> {
  const minutes = minutesArg(process.argv.slice(2));
  const ensemble = await ZkEnsemble.start({ voters: 3 });
  let runner: CanaryRunner | undefined;
  try {
    await ensemble.waitServing();
    const rounds: CanaryRound[] = [];
    const errors: unknown[] = [];
    runner = new CanaryRunner({
      agentId: 'canary-soak',
      ensembles: [
        {
          ensemble: 'soak',
          servers: ensemble.nodes.map((n) => n.address),
          path: '/zk-ensemble-exporter/canary',
          intervalMs: 1000,
          timeoutMs: 1000,
        },
      ],
      onRound: (round) => rounds.push(round),
      onError: (err) => errors.push(err),
    });
    runner.start();
    process.stderr.write(`soaking for ${minutes} min: 3 nodes, 1 write + 1 read per node per second\n`);
    await new Promise((resolve) => setTimeout(resolve, minutes * 60_000));
    await runner.stop();
    runner = undefined;

    const probes = rounds.flatMap((r) => r.nodes);
    const failures = new Map<string, number>();
    for (const p of probes.filter((p) => !p.ok))
      failures.set(`${p.failedOp}/${p.reason}`, (failures.get(`${p.failedOp}/${p.reason}`) ?? 0) + 1);
    const writes = probes.flatMap((p) => (p.latencyMs.write === undefined ? [] : [p.latencyMs.write])).sort((a, b) => a - b);
    const reads = probes.flatMap((p) => (p.latencyMs.read === undefined ? [] : [p.latencyMs.read])).sort((a, b) => a - b);
    // The first round opens the sessions; a probe that found its session still connecting is not a stall of the ensemble.
    const falseStalls = rounds.slice(1).filter((r) => !r.nodes.some((n) => n.wrote)).length;
    const ms = (v: number): string => `${v.toFixed(2)} ms`;
    console.log(`rounds: ${rounds.length} (${probes.length} probes) in ${minutes} min`);
    console.log(`false stalls (rounds after the first with no committed write): ${falseStalls}`);
    console.log(
      `failed probes: ${probes.filter((p) => !p.ok).length}${failures.size ? ` (${[...failures].map(([k, v]) => `${k}: ${v}`).join(', ')})` : ''}`,
    );
    console.log(`write latency p50 ${ms(quantile(writes, 0.5))}, p99 ${ms(quantile(writes, 0.99))}, max ${ms(writes.at(-1) ?? NaN)}`);
    console.log(`read latency p50 ${ms(quantile(reads, 0.5))}, p99 ${ms(quantile(reads, 0.99))}, max ${ms(reads.at(-1) ?? NaN)}`);
    console.log(`listener errors: ${errors.length}`);
  } finally {
    await runner?.stop();
    await ensemble.stop();
  }
}

await main();
