import type { NodeRecord } from '../state/store.js';
import type { FamilySet } from './family.js';

/** Options of {@link addDabealuFamilies}. */
export interface DabealuOptions {
  /**
   * Also label every series with `ensemble` (dabealu's exporter watches one ensemble per process,
   * so its series have none; with several ensembles in one agent, `zk_host` alone may not tell them apart).
   * @default false
   */
  ensembleLabel?: boolean;
}

/**
 * The dabealu series' options for the `compat` setting, or undefined when they are off: `dabealu`
 * turns them on, `dabealu-ensemble` turns them on with the `ensemble` label (either alone or both). Pure.
 */
export function dabealuOptions(compat: readonly string[]): DabealuOptions | undefined {
  if (compat.includes('dabealu-ensemble')) return { ensembleLabel: true };
  return compat.includes('dabealu') ? {} : undefined;
}

/**
 * With `--compat dabealu`, also emits the series dabealu/zookeeper-exporter emits, labelled
 * `zk_host="host:port"`, so community rules and dashboards keep working during a migration:
 * `zk_up`, `zk_server_leader`, `zk_version{version}`, `zk_peer_state{state}`, `zk_ruok`, and
 * `zk_<mntr key>` for every numeric mntr key (`-` and `.` become `_`). Two deliberate differences:
 * a node that is not serving gets `zk_up 0` and `zk_server_leader 0` (dabealu reports 1 for both),
 * and `zk_ruok` is 1 when the node answered at all (this agent never sends `ruok`). On 3.6+, whose
 * leader says `zk_learners` where 3.4/3.5 said `zk_followers`, `zk_followers` is also emitted from
 * it, so dashboards written for the old name (Grafana 11442's follower panels) keep their data. Pure.
 */
export function addDabealuFamilies(set: FamilySet, records: readonly NodeRecord[], options: DabealuOptions = {}): void {
  const up = set.family('zk_up', 'dabealu-compatible: 1 when the node answered srvr with a parsable reply.', 'untyped');
  const leader = set.family('zk_server_leader', 'dabealu-compatible: 1 when the node is the leader.', 'untyped');
  const ruok = set.family('zk_ruok', 'dabealu-compatible: 1 when the node answered (serving or not).', 'untyped');
  const version = set.family('zk_version', 'dabealu-compatible: ZooKeeper version (x.y.z) as a label.', 'untyped');
  const peerState = set.family('zk_peer_state', 'dabealu-compatible: first word of mntr zk_peer_state as a label.', 'untyped');
  for (const record of records) {
    const zkHost: Record<string, string> = options.ensembleLabel
      ? { zk_host: record.server, ensemble: record.ensemble }
      : { zk_host: record.server };
    const srvr = record.sample.srvr;
    up.add(srvr.ok ? 1 : 0, zkHost);
    const answered = srvr.ok || srvr.reason === 'not_serving' || srvr.reason === 'not_whitelisted';
    ruok.add(answered ? 1 : 0, zkHost);
    if (!srvr.ok) {
      // As documented: a node that answers "not serving" gets zk_server_leader 0 (dabealu said 1), not no series.
      if (srvr.reason === 'not_serving') leader.add(0, zkHost);
      continue;
    }
    leader.add(srvr.value.mode === 'leader' ? 1 : 0, zkHost);
    const semver = /^(\d+\.\d+\.\d+)/.exec(srvr.value.version)?.[1] ?? srvr.value.version;
    version.add(1, { ...zkHost, version: semver });
    const mntr = record.sample.mntr;
    if (!mntr?.ok) continue;
    // 3.6+ renamed zk_followers to zk_learners; a reply that has both keeps its own zk_followers.
    const renamedFollowers = !mntr.value.entries.some((e) => e.key === 'followers' && e.labels === undefined);
    for (const entry of mntr.value.entries) {
      if (entry.key === 'peer_state' && typeof entry.value === 'string') {
        peerState.add(1, { ...zkHost, state: entry.value.split(' ')[0] ?? entry.value });
        continue;
      }
      if (typeof entry.value !== 'number' || entry.labels !== undefined) continue;
      if (entry.key === 'server_state' || entry.key === 'version') continue;
      const name = `zk_${entry.key.replace(/[-.]/g, '_')}`;
      if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) continue;
      set.family(name, `dabealu-compatible: mntr ${entry.key}.`, 'untyped').add(entry.value, zkHost);
      if (entry.key === 'learners' && renamedFollowers) {
        set
          .family('zk_followers', 'dabealu-compatible: mntr learners (3.6+), under its 3.4/3.5 name followers.', 'untyped')
          .add(entry.value, zkHost);
      }
    }
  }
}
