import { describe, expect, it } from 'vitest';
import { renderStatus, statusExitCode } from '../../../src/cli/status-table.js';
import { deriveEnsemble } from '../../../src/ensemble/derive.js';
import type { EnsembleState } from '../../../src/ensemble/types.js';
import { decodeFourLetter } from '../../../src/poll/decode.js';
import type { NodeSample } from '../../../src/poll/types.js';
import { capturedReply, capturedSample, ensembleConfig, failedSample, T0 } from '../metrics/captured.js';

// Three rounds of one 3-voter + 1-observer ensemble built from the captured 3.8.0 replies:
// all up (healthy), then voter 2 timing out (at_risk), then no leader (lost).
const CONFIG = ensembleConfig('main', ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4']);
const SERVERS = CONFIG.servers.map((s) => `${s.host}:${s.port}`) as [string, string, string, string];

/** The captured follower answering as server id 2 (the capture has one follower, id 1). */
function secondFollower(polledAt: number): NodeSample {
  const sample = capturedSample('follower', SERVERS[1], polledAt, 'main');
  if (!sample.conf?.ok) throw new Error('captured follower conf did not decode');
  return { ...sample, conf: { ...sample.conf, value: { ...sample.conf.value, serverId: 2 } } };
}

function notServing(server: string, polledAt: number): NodeSample {
  return { ensemble: 'main', server, polledAt, srvr: decodeFourLetter('srvr', capturedReply('not-serving', 'srvr', 2)) };
}

function states(): { healthy: EnsembleState; atRisk: EnsembleState; lost: EnsembleState } {
  const up = [
    capturedSample('follower', SERVERS[0], T0, 'main'),
    secondFollower(T0),
    capturedSample('leader', SERVERS[2], T0, 'main'),
    capturedSample('observer', SERVERS[3], T0, 'main'),
  ];
  const healthy = deriveEnsemble(undefined, CONFIG, up, T0).state;
  const t1 = T0 + 1000;
  const atRisk = deriveEnsemble(healthy, CONFIG, [up[0]!, failedSample(SERVERS[1], 'timeout', t1, 'main'), up[2]!, up[3]!], t1).state;
  const t2 = T0 + 2000;
  const lost = deriveEnsemble(
    atRisk,
    CONFIG,
    [
      notServing(SERVERS[0], t2),
      failedSample(SERVERS[1], 'timeout', t2, 'main'),
      failedSample(SERVERS[2], 'refused', t2, 'main'),
      notServing(SERVERS[3], t2),
    ],
    t2,
  ).state;
  return { healthy, atRisk, lost };
}

describe('renderStatus', () => {
  it('renders a healthy ensemble', () => {
    expect(renderStatus(states().healthy)).toBe(
      [
        'ensemble main',
        'SERVER         ID  ROLE                  ZXID         LAG  OUTSTANDING  CONNECTIONS',
        '10.0.0.1:2181  1   follower              0x100000007  0    0            1',
        '10.0.0.2:2181  2   follower              0x100000007  0    0            1',
        '10.0.0.3:2181  3   leader                0x100000007  0    0            1',
        '10.0.0.4:2181  4   observer [non-voter]  0x100000007  0    0            2',
        'quorum HEALTHY: 3/3 voters healthy, majority 2, margin 1; leader 10.0.0.3:2181 (id 3) epoch 1; membership from conf',
      ].join('\n'),
    );
  });

  it('renders an at_risk ensemble with one voter down (timeout), keeping its id', () => {
    expect(renderStatus(states().atRisk)).toBe(
      [
        'ensemble main',
        'SERVER         ID  ROLE                  ZXID         LAG  OUTSTANDING  CONNECTIONS',
        '10.0.0.1:2181  1   follower              0x100000007  0    0            1',
        '10.0.0.2:2181  2   down (timeout)        -            -    -            -',
        '10.0.0.3:2181  3   leader                0x100000007  0    0            1',
        '10.0.0.4:2181  4   observer [non-voter]  0x100000007  0    0            2',
        'quorum AT_RISK: 2/3 voters healthy, majority 2, margin 0; leader 10.0.0.3:2181 (id 3) epoch 1; membership from conf',
      ].join('\n'),
    );
  });

  it('renders a lost ensemble: no leader, survivors not serving', () => {
    expect(renderStatus(states().lost)).toBe(
      [
        'ensemble main',
        'SERVER         ID  ROLE                     ZXID  LAG  OUTSTANDING  CONNECTIONS',
        '10.0.0.1:2181  1   not_serving              -     -    -            -',
        '10.0.0.2:2181  2   down (timeout)           -     -    -            -',
        '10.0.0.3:2181  3   down (refused)           -     -    -            -',
        '10.0.0.4:2181  4   not_serving [non-voter]  -     -    -            -',
        // No node answers conf now: the membership of the earlier rounds' conf still counts.
        'quorum LOST: 0/3 voters healthy, majority 2, margin -2; no leader: election in progress; membership from conf',
      ].join('\n'),
    );
  });

  it('renders an unknown id, a lower-bound lag and a leaderless ensemble without election by hand', () => {
    const base = states().healthy;
    const state: EnsembleState = {
      ...base,
      name: 'hand',
      nodes: [
        {
          server: 'a:2181',
          voter: true,
          role: 'follower',
          zxid: { hex: '0x200000003', epoch: 2, counter: 3 },
          lag: 5,
          lagIsLowerBound: true,
          outstanding: 7,
          connections: 12,
        },
        { server: 'b:2181', voter: true, role: 'down' },
      ],
      voters: 2,
      observers: 0,
      majority: 2,
      healthyVoters: 1,
      margin: -1,
      quorum: 'lost',
      election: { inProgress: false },
      splitBrain: false,
      splitBrainLeaders: [],
      membershipSource: 'configured',
    };
    delete state.leader;
    expect(renderStatus(state)).toBe(
      [
        'ensemble hand',
        'SERVER  ID  ROLE            ZXID         LAG  OUTSTANDING  CONNECTIONS',
        'a:2181  -   follower        0x200000003  >=5  7            12',
        'b:2181  -   down (unknown)  -            -    -            -',
        'quorum LOST: 1/2 voters healthy, majority 2, margin -1; no leader; membership from configured',
      ].join('\n'),
    );
    expect(
      renderStatus({ ...state, splitBrain: true, splitBrainLeaders: ['a:2181', 'b:2181'] })
        .split('\n')
        .at(-1),
    ).toBe('quorum LOST: 1/2 voters healthy, majority 2, margin -1; SPLIT BRAIN: a:2181, b:2181; membership from configured');
  });
});

describe('statusExitCode', () => {
  it('is 0 when every ensemble is healthy (or there is none), 1 for at_risk, 2 for lost: the worst decides', () => {
    const { healthy, atRisk, lost } = states();
    expect(statusExitCode([])).toBe(0);
    expect(statusExitCode([healthy])).toBe(0);
    expect(statusExitCode([healthy, atRisk])).toBe(1);
    expect(statusExitCode([atRisk, healthy])).toBe(1);
    expect(statusExitCode([lost])).toBe(2);
    expect(statusExitCode([atRisk, lost, healthy])).toBe(2);
    expect(statusExitCode([lost, atRisk])).toBe(2);
  });

  it('is 3 for an ensemble whose quorum cannot be told; a proven loss elsewhere still makes it 2', () => {
    const { healthy, atRisk, lost } = states();
    const unknown = { ...healthy, quorum: 'unknown' as const };
    expect(statusExitCode([healthy, unknown])).toBe(3);
    expect(statusExitCode([atRisk, unknown])).toBe(3);
    expect(statusExitCode([unknown, lost])).toBe(2);
  });

  it('is 2 (critical) for split brain whatever the quorum says, over unknown and at risk', () => {
    const { healthy, atRisk } = states();
    const split = { ...atRisk, splitBrain: true, splitBrainLeaders: ['a:2181', 'b:2181'] };
    expect(statusExitCode([split])).toBe(2);
    expect(statusExitCode([healthy, { ...healthy, quorum: 'unknown' as const }, split])).toBe(2);
  });
});
