/** One sample a family yields for a node: its value and any labels beyond `ensemble` and `server`. */
export interface DescribedSample {
  value: number;
  labels?: Readonly<Record<string, string>>;
}

/** What a family may know about a node besides the command's own record. */
export interface NodeFacts {
  /** The node's server id, once some `conf` reply named it. */
  serverId?: number;
}

/** A per-node metric family fed by one command, described as data; src/metrics renders it. */
export interface FamilyDescriptor<R> {
  name: string;
  help: string;
  type: 'gauge' | 'untyped';
  /** The node's samples, read from the command's latest successful record (empty: no series). */
  read(record: R, node: NodeFacts): readonly DescribedSample[];
  /** Samples for a node that is down (its srvr failed); without this, a down node has no series here. */
  whenDown?: readonly DescribedSample[];
}

/**
 * When a command is asked. `fast`: every `fastInterval` (the fast lane: it alone decides whether a node
 * is up). `every_round`: every `interval`, and at once when a node comes back; the last answer is kept
 * in between. `conf_interval`: when a node is first seen, every ensemble `confInterval`, after its last
 * read failed and after the node comes back; the last answer is kept in between.
 */
export type Cadence = 'fast' | 'every_round' | 'conf_interval';

/** Everything the agent knows about one four-letter word; the table in index.ts lists them all. */
export interface CommandDefinition<W extends string, R> {
  /** The four-letter word, and the key of its outcome in a node sample. */
  word: W;
  /**
   * Its AdminServer commands (`/commands/<name>`), all asked; their bodies, in this order, yield the
   * same record as the four-letter reply.
   */
  admin: readonly [string, ...string[]];
  /** One line for the docs and the config reference. */
  description: string;
  /** Polled when an ensemble lists no `commands`. */
  byDefault: boolean;
  cadence: Cadence;
  /** Parses the four-letter reply (after refusals are classified); throws ParseError on a wrong shape. */
  parseText(text: string): R;
  /** Parses the AdminServer JSON bodies (one per `admin` command) into the same record; throws ParseError on a wrong shape. */
  parseJson(bodies: readonly unknown[]): R;
  /** The per-node families it feeds (mntr's own series follow the naming rule in mntr.ts instead). */
  families: ReadonlyArray<FamilyDescriptor<R>>;
}

/** A family with exactly one unlabelled sample per node. */
export function gauge<R>(name: string, help: string, pick: (record: R) => number): FamilyDescriptor<R> {
  return { name, help, type: 'gauge', read: (record) => [{ value: pick(record) }] };
}
