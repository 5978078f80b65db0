import pino, { type LevelWithSilent, type Logger } from 'pino';
import pretty from 'pino-pretty';

/** What the logger reads of the `log` settings. */
export interface LogOptions {
  /** Least severe level written: a pino level name, or `silent`. */
  level: LevelWithSilent;
  /** `json`: one object per line. `pretty`: text for people. */
  format: 'json' | 'pretty';
}

/** Creates the agent's logger: JSON lines by default, human-readable with `--log-format pretty`. */
export function createLogger(log: LogOptions, destination: NodeJS.WritableStream = process.stderr): Logger {
  const options = { level: log.level, base: { name: 'zk-ensemble-exporter' } };
  if (log.format === 'pretty') return pino(options, pretty({ destination, colorize: false, sync: true }));
  // Level names ("info", "warn") rather than pino's numbers: log pipelines and people filter on names.
  const json = { ...options, formatters: { level: (label: string) => ({ level: label }) } };
  return pino(json, destination as pino.DestinationStream);
}
