// Node samples built from the captured 3.8.0 replies through the real decoder (no sockets), with fixed
// times and durations, for the metrics, state and status tests.
import type { EnsembleConfig } from '../../../src/config/types.js';
import { decodeFourLetter } from '../../../src/poll/decode.js';
import type { NodeSample } from '../../../src/commands/index.js';
import type { FailureReason, RawReply } from '../../../src/model/outcome.js';
import { fixture } from '../parse/fixtures.js';

/** Start of the first round (epoch ms). */
export const T0 = 1_700_000_000_000;

/** Fixed poll durations (ms) per command of an answering node. */
export const DURATION_MS = { srvr: 2, mntr: 5, wchs: 3, conf: 4 } as const;

/** Duration (ms) of a failed poll: the command timeout. */
export const TIMEOUT_MS = 1000;

/** The 3.8.0 capture roles of a node that answers every word. */
export type CapturedRole = 'leader' | 'follower' | 'observer' | 'standalone';

/** A successful raw reply with the text of `zookeeper-3.8.0/<role>/<word>.txt`. */
export function capturedReply(role: string, word: string, durationMs: number): RawReply {
  return { ok: true, body: fixture(`zookeeper-3.8.0/${role}/${word}.txt`), durationMs };
}

/** What a captured node answers to srvr, mntr, wchs and conf (conf asked this round), decoded. */
export function capturedSample(role: CapturedRole, server: string, polledAt = T0, ensemble = 'e'): NodeSample {
  return {
    ensemble,
    server,
    polledAt,
    srvr: decodeFourLetter('srvr', capturedReply(role, 'srvr', DURATION_MS.srvr)),
    mntr: decodeFourLetter('mntr', capturedReply(role, 'mntr', DURATION_MS.mntr)),
    wchs: decodeFourLetter('wchs', capturedReply(role, 'wchs', DURATION_MS.wchs)),
    conf: decodeFourLetter('conf', capturedReply(role, 'conf', DURATION_MS.conf)),
    confPolledAt: polledAt,
  };
}

/** A node whose every command (conf included) failed with `reason`, as pollNode reports a dead node. */
export function failedSample(server: string, reason: FailureReason, polledAt = T0, ensemble = 'e'): NodeSample {
  const failed = { ok: false as const, reason, detail: `test ${reason}`, transport: 'fourletter' as const, durationMs: TIMEOUT_MS };
  return { ensemble, server, polledAt, srvr: failed, mntr: failed, wchs: failed, conf: failed, confPolledAt: polledAt };
}

/** An ensemble config of `host:2181` servers polling srvr, mntr, wchs and conf. */
export function ensembleConfig(name: string, hosts: readonly string[]): EnsembleConfig {
  return {
    name,
    servers: hosts.map((host) => ({ host, port: 2181 })),
    transport: 'fourletter',
    commands: ['srvr', 'mntr', 'wchs', 'conf'],
    confIntervalMs: 60_000,
    discovery: false,
  };
}

/** The same sample with the opt-in words `stat`, `isro`, `envi` and `cons` answered from the captures too. */
export function withOptInWords(sample: NodeSample, role: CapturedRole): NodeSample {
  return {
    ...sample,
    stat: decodeFourLetter('stat', capturedReply(role, 'stat', 2)),
    isro: decodeFourLetter('isro', capturedReply(role, 'isro', 1)),
    envi: decodeFourLetter('envi', capturedReply(role, 'envi', 1)),
    cons: decodeFourLetter('cons', capturedReply(role, 'cons', 3)),
  };
}
