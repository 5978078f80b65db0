import { describe, expect, it } from 'vitest';
import type { NodeSample } from '../../../src/commands/index.js';
import { deriveEnsemble } from '../../../src/ensemble/derive.js';
import { decodeAdmin, decodeFourLetter } from '../../../src/poll/decode.js';
import { adminFixture, fixture } from '../parse/fixtures.js';

const T0 = 1_700_000_000_000;
const ROLES = ['leader', 'follower', 'observer'] as const;

/** A node of the captured 3 + 1 ensemble asked over the AdminServer only: conf comes from `conf` + `voting_view`. */
function adminSample(role: (typeof ROLES)[number], i: number): NodeSample {
  const body = (command: string): { ok: true; body: unknown; durationMs: number } => ({
    ok: true,
    body: adminFixture(`zookeeper-3.8.0/${role}/admin-${command}.http`).json,
    durationMs: 1,
  });
  return {
    ensemble: 'e',
    server: `10.0.0.${i}:2181`,
    polledAt: T0,
    srvr: decodeFourLetter('srvr', { ok: true, body: fixture(`zookeeper-3.8.0/${role}/srvr.txt`), durationMs: 1 }),
    conf: decodeAdmin('conf', [body('conf'), body('voting_view')]),
    confPolledAt: T0,
  };
}

describe('membership over the AdminServer', () => {
  it('takes voters from voting_view and counts the configured non-voter as the observer', () => {
    const config = { name: 'e', servers: [1, 2, 3].map((i) => ({ host: `10.0.0.${i}`, port: 2181 })) };
    const samples = ROLES.map((role, i) => adminSample(role, i + 1));
    const { state } = deriveEnsemble(undefined, config, samples, T0);
    expect(state.membershipSource).toBe('conf');
    expect(state.voters).toBe(3);
    expect(state.observers).toBe(1);
    expect(state.nodes.find((n) => n.server === '10.0.0.3:2181')).toMatchObject({ serverId: 4, voter: false });
  });
});
