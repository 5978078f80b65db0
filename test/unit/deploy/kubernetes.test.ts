/**
 * deploy/kubernetes/*.yaml: every object passes its schema (the Kubernetes API's for core objects,
 * prometheus-operator's CRD schemas for ServiceMonitor and PrometheusRule, as the kubernetes-models
 * packages ship them), the objects fit together (Services select pods, the ServiceMonitor selects the
 * Services and their port), the agent's flags and config files are ones the agent accepts, and the
 * PrometheusRule is what alerts/rules.ts renders.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { ConfigMap, Service } from 'kubernetes-models/v1';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { PrometheusRule, ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { DEFAULT_CONFIG, PROMETHEUS_RULE_FILE, renderPrometheusRule, ruleGroups } from '../../../alerts/rules.js';
import { formatProblems, loadConfig } from '../../../src/config/load.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const dir = path.join(root, 'deploy', 'kubernetes');
const files = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

// Plain objects of the shapes the tests read; the schemas check everything else.
interface Obj<Spec = unknown> {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec: Spec;
  data?: Record<string, string>;
}
interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  ports?: Array<{ name: string }>;
  env?: Array<{ name: string; value: string }>;
}
interface WorkloadSpec {
  replicas: number;
  serviceName: string;
  template: { metadata: { labels?: Record<string, string> }; spec: { containers: Container[] } };
}
interface ServiceSpec {
  selector: Record<string, string>;
  ports: Array<{ name: string; port: number | string; targetPort: string }>;
}
interface ServiceMonitorSpec {
  selector: { matchLabels: Record<string, string> };
  endpoints: Array<{ port: string; path: string; interval: string }>;
}
interface PrometheusRuleSpec {
  groups: Array<{ rules: Array<{ expr?: string }> }>;
}

const objects: Array<{ file: string; obj: Obj }> = files.flatMap((file) =>
  YAML.parseAllDocuments(fs.readFileSync(path.join(dir, file), 'utf8')).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
    return { file, obj: doc.toJS() as Obj };
  }),
);
/** The objects of one kind, with the shape of that kind's spec. */
const ofKind = <Spec = unknown>(kind: string) => objects.filter(({ obj }) => obj.kind === kind) as Array<{ file: string; obj: Obj<Spec> }>;

/** The schema of each kind the manifests use: one validate() per model, throwing with every error. */
const MODELS: Record<string, (data: Obj) => { validate(): void }> = {
  'v1/Service': (d) => new Service(d as ConstructorParameters<typeof Service>[0]),
  'v1/ConfigMap': (d) => new ConfigMap(d),
  'apps/v1/Deployment': (d) => new Deployment(d as ConstructorParameters<typeof Deployment>[0]),
  'apps/v1/StatefulSet': (d) => new StatefulSet(d as ConstructorParameters<typeof StatefulSet>[0]),
  'monitoring.coreos.com/v1/ServiceMonitor': (d) => new ServiceMonitor(d as ConstructorParameters<typeof ServiceMonitor>[0]),
  'monitoring.coreos.com/v1/PrometheusRule': (d) => new PrometheusRule(d as ConstructorParameters<typeof PrometheusRule>[0]),
};

/** Flags of the agent, from README "Flags and environment" (kept in step with the schema by test/unit/readme.test.ts). */
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
const flagsSection = readme.slice(readme.indexOf('## Flags and environment'), readme.indexOf('<!-- config-reference:end -->'));
const KNOWN_FLAGS = new Set([...flagsSection.matchAll(/^\| `(--[a-z-]+)/gm)].map((m) => m[1]!));

/** The agent's containers: by image name. */
const agentContainers = [...ofKind<WorkloadSpec>('Deployment'), ...ofKind<WorkloadSpec>('StatefulSet')].flatMap(({ file, obj }) =>
  obj.spec.template.spec.containers
    .filter((c) => c.image.includes('zk-ensemble-exporter'))
    .map((c) => ({ file, workload: obj, container: c })),
);

describe('deploy/kubernetes', () => {
  it('holds a sidecar StatefulSet, a central Deployment, Services, a ServiceMonitor and the PrometheusRule', () => {
    expect(files).toEqual(['agent-deployment.yaml', 'prometheusrule.yaml', 'servicemonitor.yaml', 'zookeeper-sidecar.yaml']);
    expect(objects.map(({ obj }) => obj.kind).sort()).toEqual(
      ['ConfigMap', 'ConfigMap', 'Deployment', 'PrometheusRule', 'Service', 'Service', 'Service', 'ServiceMonitor', 'StatefulSet'].sort(),
    );
  });

  it.each(objects.map(({ file, obj }) => [`${file}: ${obj.kind} ${obj.metadata.name}`, obj] as const))(
    '%s passes its schema',
    (_at, obj) => {
      const model = MODELS[`${obj.apiVersion}/${obj.kind}`];
      expect(model, `no schema for ${obj.apiVersion} ${obj.kind}`).toBeDefined();
      expect(() => model!(obj).validate()).not.toThrow();
    },
  );

  it('the schemas do reject a broken object (the check is not vacuous)', () => {
    const monitor = structuredClone(ofKind<ServiceMonitorSpec>('ServiceMonitor')[0]!.obj);
    monitor.spec.endpoints[0]!.interval = 'five seconds';
    expect(() => MODELS['monitoring.coreos.com/v1/ServiceMonitor']!(monitor).validate()).toThrow(/interval/);
    const service = structuredClone(ofKind<ServiceSpec>('Service')[0]!.obj);
    service.spec.ports[0]!.port = '2181/tcp';
    expect(() => MODELS['v1/Service']!(service).validate()).toThrow(/port/);
    const rule = structuredClone(ofKind<PrometheusRuleSpec>('PrometheusRule')[0]!.obj);
    delete rule.spec.groups[0]!.rules[0]!.expr;
    expect(() => MODELS['monitoring.coreos.com/v1/PrometheusRule']!(rule).validate()).toThrow(/expr/);
  });

  it('every Service selects the pods of a workload, and every target port is a named container port', () => {
    const workloads = [...ofKind<WorkloadSpec>('Deployment'), ...ofKind<WorkloadSpec>('StatefulSet')].map(({ obj }) => obj.spec.template);
    for (const { obj } of ofKind<ServiceSpec>('Service')) {
      const selector = obj.spec.selector;
      const pods = workloads.filter((t) => Object.entries(selector).every(([k, v]) => t.metadata.labels?.[k] === v));
      expect(pods, `Service ${obj.metadata.name} selects no pods`).not.toHaveLength(0);
      const ports = new Set(pods.flatMap((t) => t.spec.containers.flatMap((c) => (c.ports ?? []).map((p) => p.name))));
      for (const port of obj.spec.ports) expect(ports, `Service ${obj.metadata.name} port ${port.name}`).toContain(port.targetPort);
    }
  });

  it('the ServiceMonitor selects the sidecar and central Services by their `metrics` port, scraping at the agent interval', () => {
    const monitor = ofKind<ServiceMonitorSpec>('ServiceMonitor')[0]!.obj;
    const selected = ofKind<ServiceSpec>('Service').filter(({ obj }) =>
      Object.entries(monitor.spec.selector.matchLabels).every(([k, v]) => obj.metadata.labels?.[k] === v),
    );
    expect(selected.map(({ obj }) => obj.metadata.name).sort()).toEqual(['zk-ensemble-exporter', 'zk-ensemble-exporter-sidecar']);
    for (const { obj } of selected) expect(obj.spec.ports.map((p) => [p.name, p.port])).toEqual([['metrics', 9141]]);
    expect(monitor.spec.endpoints).toEqual([
      expect.objectContaining({ port: 'metrics', path: '/metrics', interval: DEFAULT_CONFIG.agentInterval }),
    ]);
  });

  it('the sidecar is given its own pod by its stable name and discovers the members, and its peers are the other pods', () => {
    const sidecar = agentContainers.find(({ workload }) => workload.kind === 'StatefulSet')!;
    const script = sidecar.container.args!.join('\n');
    const set = sidecar.workload.spec;
    const members = Array.from({ length: set.replicas }, (_, i) => `zk-${i}.${set.serviceName}:2181`);
    // Its own pod only: the other members come from that node's conf (discovery).
    expect(script).toContain(`--ensemble "zk=$HOSTNAME.${set.serviceName}:2181"`);
    expect(script).toContain(`for i in ${Array.from({ length: set.replicas }, (_, i) => i).join(' ')}; do`);
    expect(script).toContain('--peer http://zk-$i.zk-hs:9141');
    // ZooKeeper's member lines carry the client port, so discovery finds every pod by its stable name.
    const env = set.template.spec.containers.find((c) => c.name === 'zookeeper')!.env!;
    const servers = env.find((e) => e.name === 'ZOO_SERVERS')!.value.split(' ');
    expect(servers.map((s) => s.split(';')[1] === '2181' && s.split('=')[1]!.split(':')[0])).toEqual(members.map((m) => m.split(':')[0]));
  });

  it.each(agentContainers.map((c) => [`${c.file}: ${c.container.name}`, c.container] as const))(
    '%s uses only flags the agent has, and probes /healthz and /readyz',
    (_at, container) => {
      const text = [...(container.command ?? []), ...(container.args ?? [])].join(' ');
      const flags = [...text.matchAll(/(?<![\w-])(--[a-z][a-z-]*)/g)].map((m) => m[1]!);
      expect(flags.length).toBeGreaterThan(0);
      for (const flag of flags) expect(KNOWN_FLAGS, flag).toContain(flag);
      const c = container as unknown as { livenessProbe: { httpGet: { path: string } }; readinessProbe: { httpGet: { path: string } } };
      expect(c.livenessProbe.httpGet.path).toBe('/healthz');
      expect(c.readinessProbe.httpGet.path).toBe('/readyz');
    },
  );

  it.each(ofKind('ConfigMap').map(({ file, obj }) => [`${file}: ${obj.metadata.name}`, obj] as const))(
    "%s: agent.yml loads through the agent's config loader",
    (_at, obj) => {
      const text = obj.data!['agent.yml']!;
      // The sidecar's file leaves the ensemble to a flag, as its container does.
      const argv = [
        '--config',
        '/etc/zk-ensemble-exporter/agent.yml',
        ...(text.includes('ensembles:') ? [] : ['--ensemble', 'zk=zk-0.zk-hs:2181']),
      ];
      const result = loadConfig({ argv, env: {}, readFile: () => text });
      if (!result.ok) expect.fail(formatProblems(result.problems));
    },
  );
});

describe(PROMETHEUS_RULE_FILE, () => {
  it('is what `npm run alerts` renders from alerts/rules.ts', () => {
    const committed = fs.readFileSync(path.join(root, PROMETHEUS_RULE_FILE), 'utf8');
    expect(committed, `${PROMETHEUS_RULE_FILE} is stale: run npm run alerts`).toBe(renderPrometheusRule(DEFAULT_CONFIG));
  });

  it('holds exactly the groups of the Prometheus rule file', () => {
    const rule = ofKind<PrometheusRuleSpec>('PrometheusRule')[0]!.obj;
    expect(rule.spec.groups).toEqual(ruleGroups(DEFAULT_CONFIG));
  });
});
