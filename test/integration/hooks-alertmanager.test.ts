/**
 * Real Prometheus (scraping the agent, one minimal quorum rule) → real Alertmanager → the agent's
 * receiver → the forwarded, signed hook at a real receiver, with a real ensemble losing quorum.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, waitFor, type AgentProcess } from '../harness/agent-process.js';
import { AlertmanagerProcess } from '../harness/alertmanager.js';
import { HookReceiver } from '../harness/hook-receiver.js';
import { PrometheusProcess, prometheusInstalled } from '../harness/prometheus.js';
import { ZkEnsemble, zookeeperInstalled } from '../harness/zookeeper.js';

const SECRET = 'am-secret-0123456789';
const TOKEN = 'am-token-0123456789';
const ADMIN = 'am-admin-token-0123456789';

describe.skipIf(!zookeeperInstalled() || !prometheusInstalled())('Prometheus → Alertmanager → agent → hook', () => {
  let dir: string;
  let ensemble: ZkEnsemble;
  let receiver: HookReceiver;
  let agent: AgentProcess;
  let alertmanager: AlertmanagerProcess;
  let prometheus: PrometheusProcess;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zk-am-'));
    fs.writeFileSync(path.join(dir, 'secret'), SECRET);
    fs.writeFileSync(path.join(dir, 'token'), TOKEN);
    fs.writeFileSync(path.join(dir, 'admin'), ADMIN);
    receiver = new HookReceiver([SECRET]);
    await receiver.start();
    ensemble = await ZkEnsemble.start({ voters: 3 });
    await ensemble.waitServing();
    agent = await startAgent([
      '--ensemble',
      `local=${ensemble.connectString}`,
      '--interval',
      '1s',
      '--timeout',
      '500ms',
      '--alert-hook-url',
      receiver.url,
      '--hook-secret-file',
      path.join(dir, 'secret'),
      '--receiver-token-file',
      path.join(dir, 'token'),
      '--admin-token-file',
      path.join(dir, 'admin'),
      '--state-dir',
      path.join(dir, 'state'),
    ]);
    alertmanager = await AlertmanagerProcess.start(
      [
        'route:',
        '  receiver: agent',
        '  group_by: [alertname, ensemble]',
        '  group_wait: 1s',
        '  group_interval: 5s',
        '  repeat_interval: 4h',
        'receivers:',
        '  - name: agent',
        '    webhook_configs:',
        `      - url: ${agent.url}/api/v1/alertmanager`,
        '        send_resolved: false',
        '        http_config:',
        '          authorization:',
        `            credentials: ${TOKEN}`,
        '',
      ].join('\n'),
    );
    const rules = path.join(dir, 'rules.yml');
    fs.writeFileSync(
      rules,
      [
        'groups:',
        '  - name: test',
        '    rules:',
        '      - alert: ZookeeperQuorumLost',
        '        expr: zookeeper_ensemble_quorum_state{state="lost"} == 1',
        '        labels: { severity: critical }',
        '        annotations: { summary: "quorum lost on {{ $labels.ensemble }}" }',
        '',
      ].join('\n'),
    );
    prometheus = await PrometheusProcess.start({
      targets: [new URL(agent.url).host],
      ruleFiles: [rules],
      alertmanager: alertmanager.address,
    });
  });

  afterAll(async () => {
    await prometheus?.stop();
    await alertmanager?.stop();
    await agent?.stop();
    await receiver?.stop();
    await ensemble?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('quorum lost → the alert reaches the receiver once, forwarded and signed by the agent', async () => {
    // Prometheus drops alerts until it has found Alertmanager: wait until it lists one as active.
    await waitFor(
      'Prometheus found Alertmanager',
      async () => {
        const res = await fetch(`${prometheus.url}/api/v1/alertmanagers`);
        const body = (await res.json()) as { data?: { activeAlertmanagers?: unknown[] } };
        return (body.data?.activeAlertmanagers?.length ?? 0) > 0 ? true : undefined;
      },
      30_000,
    );
    const leader = (await ensemble.leader())!;
    await Promise.all(ensemble.nodes.filter((n) => n !== leader).map((n) => n.kill()));
    const forwarded = await waitFor(
      'alert forwarded',
      () => Promise.resolve(receiver.of('alert').length > 0 ? receiver.of('alert') : undefined),
      60_000,
    );
    console.log(`two nodes killed → forwarded alert at the receiver in ${forwarded.elapsedMs} ms`);
    const hook = forwarded.value[0]!;
    expect(hook.verified).toBe(true);
    expect(hook.body).toMatchObject({
      event: 'alert',
      ensemble: 'local',
      alert: { status: 'firing', labels: { alertname: 'ZookeeperQuorumLost', ensemble: 'local' } },
    });
    expect(hook.idempotencyKey).toMatch(/^alert-hook\/alert\/[0-9a-f]+\/.+\/firing$/);
    // Negative check: Alertmanager may re-send the group every group_interval (5 s) while it fires;
    // 12 s covers two of them, and the receiver must still see one delivery.
    await sleep(12_000);
    expect(receiver.requests.filter((r) => r.body.event === 'alert')).toHaveLength(1);
    // Hook state reads take the admin token once any token is configured.
    const read = await fetch(`${agent.url}/api/v1/hooks/deliveries?type=duplicate`, { headers: { authorization: `Bearer ${ADMIN}` } });
    const dups = (await read.json()) as { entries: unknown[] };
    console.log(`duplicates dropped by the agent while the alert fired: ${dups.entries.length}`);
  });
});
