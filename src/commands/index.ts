// The command table: every four-letter word the agent can poll, defined once. Planning, decoding, the
// node sample, the state store, the per-node metric families, the config schema and the README's list
// of words all read it. Adding a word: a file like cons.ts and one line in COMMANDS.
import type { CommandOutcome } from '../model/outcome.js';
import type { CommandDefinition } from './command.js';
import type { MntrLaidOut } from './mntr-layout.js';
import { conf } from './conf.js';
import { cons } from './cons.js';
import { envi } from './envi.js';
import { isro } from './isro.js';
import { mntr } from './mntr.js';
import { srvr } from './srvr.js';
import { stat } from './stat.js';
import { wchs } from './wchs.js';

/** Every pollable word, in the order samples, metrics and docs list them. `srvr` comes first. */
export const COMMANDS = [srvr, stat, mntr, wchs, conf, isro, envi, cons] as const;

type Table = (typeof COMMANDS)[number];
/** A word in the table. */
export type CommandWord = Table['word'];
/** The record one word's reply is parsed into. */
export type RecordOf<W extends CommandWord> = Extract<Table, { word: W }> extends CommandDefinition<W, infer R> ? R : never;
/** A table entry with its record type erased, for code that treats every word alike. */
export type AnyCommand = CommandDefinition<CommandWord, unknown>;

type WordsOf<T extends readonly { word: string }[]> = { [K in keyof T]: T[K]['word'] };

/**
 * The words an ensemble may list in `commands`. `ruok` is never one: it answers `imok` during elections
 * and without quorum, so it proves nothing.
 */
// map() loses the tuple type that z.enum() needs; the mapped type restores it, word for word.
export const ALLOWED_COMMANDS = COMMANDS.map((c) => c.word) as unknown as WordsOf<typeof COMMANDS>;
/** Polled when an ensemble lists no `commands`. */
export const DEFAULT_COMMANDS: CommandWord[] = COMMANDS.filter((c) => c.byDefault).map((c) => c.word);
/** One line per word for the config reference and the README. */
export const COMMAND_DESCRIPTIONS = Object.fromEntries(COMMANDS.map((c) => [c.word, c.description])) as Record<CommandWord, string>;

/** The table entry of `word`. */
export function commandOf<W extends CommandWord>(word: W): CommandDefinition<W, RecordOf<W>> {
  return COMMANDS.find((c) => c.word === word) as unknown as CommandDefinition<W, RecordOf<W>>;
}

/** True when `word` is in the table. */
export function isCommandWord(word: string): word is CommandWord {
  return (ALLOWED_COMMANDS as readonly string[]).includes(word);
}

/** Each word's outcome, typed from the table. */
export type CommandOutcomes = { [W in CommandWord]: CommandOutcome<RecordOf<W>> };

/**
 * Everything learned from one node in one round: one outcome per word asked, under the word itself.
 * A word not asked this round is absent; `conf_interval` words may be carried from an earlier round.
 */
export type NodeSample = {
  ensemble: string;
  /** `host:port` as configured: the `server` label. */
  server: string;
  /** Epoch milliseconds when the node's poll started. */
  polledAt: number;
  srvr: CommandOutcomes['srvr'];
  /** When the `conf_interval` words (conf) were last actually asked. */
  confPolledAt?: number;
  /** When the `every_round` words (mntr, wchs, …) were last actually asked; fast-lane rounds carry them. */
  roundPolledAt?: number;
  /**
   * This round's mntr reply laid out for the exposition, set as soon as the node answered (see
   * `compactMntr`), when its entries may have been thinned out; absent when mntr was not asked now.
   */
  mntrLaidOut?: MntrLaidOut;
} & { [W in Exclude<CommandWord, 'srvr'>]?: CommandOutcomes[W] };

export type { Cadence, CommandDefinition, NodeFacts } from './command.js';
