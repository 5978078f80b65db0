import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderConfigReference, renderFlagReference } from '../../../src/config/reference.js';

const golden = fileURLToPath(new URL('../../fixtures/config/reference.md', import.meta.url));
const readme = fileURLToPath(new URL('../../../README.md', import.meta.url));

/** Both tables as the README should hold them. Rewrite the golden file with UPDATE_GOLDEN=1. */
function rendered(): string {
  return `## Config file\n\n${renderConfigReference()}\n## Flags and environment\n\n${renderFlagReference()}`;
}

describe('config reference', () => {
  it('matches the golden file', () => {
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(golden, rendered());
    expect(rendered()).toBe(readFileSync(golden, 'utf8'));
  });

  it('has one row per field, each with a type, a default column and a description', () => {
    const rows = renderConfigReference().trimEnd().split('\n').slice(2);
    expect(rows.map((row) => row.split(' | ')[0]!.replace('| ', ''))).toStrictEqual([
      '`listen`',
      '`webConfigFile`',
      '`interval`',
      '`fastInterval`',
      '`timeout`',
      '`maxReplyBytes`',
      '`concurrency`',
      '`log`',
      '`log.level`',
      '`log.format`',
      '`compat`',
      '`ensembles`',
      '`ensembles[].name`',
      '`ensembles[].servers`',
      '`ensembles[].servers[].host`',
      '`ensembles[].servers[].port`',
      '`ensembles[].servers[].adminPort`',
      '`ensembles[].transport`',
      '`ensembles[].adminPort`',
      '`ensembles[].commands`',
      '`ensembles[].confInterval`',
      '`ensembles[].discovery`',
      '`ensembles[].mntrSeries`',
      '`ensembles[].mntrSeries.preset`',
      '`ensembles[].mntrSeries.include`',
      '`ensembles[].mntrSeries.exclude`',
      '`ensembles[].canary`',
      '`ensembles[].canary.path`',
      '`ensembles[].canary.interval`',
      '`ensembles[].canary.timeout`',
      '`ensembles[].canary.authFile`',
      '`ensembles[].canary.chroot`',
      '`ensembles[].tls`',
      '`ensembles[].tls.caFile`',
      '`ensembles[].tls.certFile`',
      '`ensembles[].tls.keyFile`',
      '`ensembles[].tls.serverName`',
      '`ensembles[].tls.insecureSkipVerify`',
      '`hooks`',
      '`hooks.stateDir`',
      '`hooks.dryRun`',
      '`hooks.agentId`',
      '`hooks.secretFiles`',
      '`hooks.targets`',
      '`hooks.targets[].name`',
      '`hooks.targets[].url`',
      '`hooks.targets[].timeout`',
      '`hooks.targets[].maxAge`',
      '`hooks.targets[].concurrency`',
      '`hooks.targets[].backoff`',
      '`hooks.targets[].backoff.initial`',
      '`hooks.targets[].backoff.max`',
      '`hooks.targets[].template`',
      '`hooks.targets[].headers`',
      '`hooks.rules`',
      '`hooks.rules[].event`',
      '`hooks.rules[].hook`',
      '`hooks.rules[].ensembles`',
      '`hooks.rules[].for`',
      '`hooks.rules[].cooldown`',
      '`hooks.rules[].fireOnStartup`',
      '`hooks.rules[].electionTooLong`',
      '`hooks.alertmanager`',
      '`hooks.alertmanager.routes`',
      '`hooks.alertmanager.routes[].hook`',
      '`hooks.alertmanager.routes[].matchers`',
      '`hooks.alertmanager.routes[].sendResolved`',
      '`hooks.maintenance`',
      '`hooks.maintenance[].cron`',
      '`hooks.maintenance[].duration`',
      '`hooks.maintenance[].ensembles`',
      '`hooks.maintenance[].timezone`',
      '`hooks.peers`',
      '`hooks.peerTimeout`',
      '`hooks.receiverTokenFiles`',
      '`hooks.adminTokenFile`',
      '`hooks.adminListen`',
      '`hooks.maxBodyBytes`',
      '`alertmanager`',
      '`alertmanager.urls`',
      '`alertmanager.timeout`',
      '`alertmanager.resendInterval`',
      '`alertmanager.externalUrl`',
    ]);
    expect(rows[2]).toBe('| `interval` | duration | `5s` | How often every node is polled. |');
    expect(rows.find((row) => row.startsWith('| `hooks.maxBodyBytes`'))).toBe(
      '| `hooks.maxBodyBytes` | integer 1024–1073741824 | `1048576` | Largest request body the receiver and the hooks API read. |',
    );
    expect(rows[8]).toBe(
      '| `log.level` | `trace` \\| `debug` \\| `info` \\| `warn` \\| `error` \\| `fatal` \\| `silent` | `info` | Least severe level written. |',
    );
  });

  // Keeps the README's configuration reference in step with the schema.
  const markers = ['<!-- config-reference:start -->', '<!-- config-reference:end -->'] as const;
  const readmeText = readFileSync(readme, 'utf8');
  it('README.md between the config-reference markers matches', () => {
    expect(readmeText).toContain(markers[0]);
    const start = readmeText.indexOf(markers[0]) + markers[0].length;
    const end = readmeText.indexOf(markers[1]);
    expect(readmeText.slice(start, end).trim()).toBe(rendered().trim());
  });
});
