/**
 * Demo: a real 3-node ensemble on free loopback ports and the agent polling it every second.
 * Extra arguments are passed to the agent (e.g. `--listen 127.0.0.1:9999 --log-format pretty`).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { freePort } from '../test/harness/ports.js';
import { ZkEnsemble } from '../test/harness/zookeeper.js';

async function main(): Promise<void> {
  const ensemble = await ZkEnsemble.start({ voters: 3 });
  console.log(`starting 3 ZooKeeper nodes: ${ensemble.connectString} (data in ${ensemble.baseDir})`);
  await ensemble.waitServing();
  const extra = process.argv.slice(2);
  const listen = extra.includes('--listen') ? undefined : `127.0.0.1:${await freePort()}`;
  const args = [
    path.resolve(import.meta.dirname, '..', 'dist', 'main.js'),
    '--ensemble',
    `local=${ensemble.connectString}`,
    '--interval',
    '1s',
    '--timeout',
    '500ms',
    ...(listen ? ['--listen', listen] : []),
    ...extra,
  ];
  const agent = spawn(process.execPath, args, { stdio: 'inherit' });
  const where = listen ?? extra[extra.indexOf('--listen') + 1];
  console.log(`\nagent running: http://${where}/metrics  (ensemble view: http://${where}/api/v1/ensembles)`);
  console.log('Ctrl-C stops the agent and the ensemble.\n');
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    agent.kill('SIGTERM');
    await ensemble.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  agent.on('exit', (code) => {
    if (!stopping) {
      console.error(`agent exited with code ${code}`);
      void ensemble.stop().then(() => process.exit(code ?? 1));
    }
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
