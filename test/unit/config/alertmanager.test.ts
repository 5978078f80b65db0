import { describe, expect, it } from 'vitest';
import { loadConfig, type LoadResult } from '../../../src/config/load.js';

const ENSEMBLE = 'ensembles: [{name: e, servers: ["a:1"]}]\n';

/** Loads a config file holding one ensemble and `yaml`, with extra flags and env. */
function load(yaml: string, argv: string[] = [], env: Record<string, string> = {}): LoadResult {
  return loadConfig({ argv: ['--config', 'c.yml', ...argv], env, readFile: () => ENSEMBLE + yaml });
}

describe('alertmanager push settings', () => {
  it('keeps URLs as written (credentials allowed), strips the external URL of trailing slashes, durations in ms', () => {
    const result = load(
      'alertmanager: {urls: ["http://am:9093", "https://u:p@am2/x"], timeout: 2s, resendInterval: 1m, externalUrl: "https://zk.example/exporter//"}',
    );
    expect(result.ok && result.config.alertmanager).toStrictEqual({
      urls: ['http://am:9093', 'https://u:p@am2/x'],
      externalUrl: 'https://zk.example/exporter',
      timeoutMs: 2_000,
      resendIntervalMs: 60_000,
    });
    const defaults = load('alertmanager: {}');
    expect(defaults.ok && defaults.config.alertmanager).toStrictEqual({ urls: [], timeoutMs: 5_000, resendIntervalMs: 30_000 });
  });

  it('reports every bad URL without repeating it', () => {
    const result = load(
      'alertmanager: {urls: ["", "am:9093", "http://[", "http://am/?q", "http://am", "http://am"], externalUrl: "http://u:p@zk/"}',
    );
    expect(result.ok ? [] : result.problems).toStrictEqual([
      { path: 'alertmanager.urls[0]', message: 'must start with http:// or https://' },
      { path: 'alertmanager.urls[1]', message: 'must start with http:// or https://' },
      { path: 'alertmanager.urls[2]', message: 'is not a valid URL' },
      { path: 'alertmanager.urls[3]', message: 'must be a base URL, without query or fragment' },
      { path: 'alertmanager.urls[5]', message: 'duplicate URL "http://am"' },
      { path: 'alertmanager.externalUrl', message: 'must not contain a user name or password' },
    ]);
  });

  it('needs timeout below resendInterval and an external URL without fragment', () => {
    const result = load('alertmanager: {externalUrl: "http://zk/#status", timeout: 30s}');
    expect(result.ok ? [] : result.problems).toStrictEqual([
      { path: 'alertmanager.externalUrl', message: 'must be a base URL, without query or fragment' },
      { path: 'alertmanager.timeout', message: 'timeout (30s) must be less than resendInterval (30s)' },
    ]);
  });

  it('checks flag and env URLs where they were given, the env value a flag replaced too', () => {
    const result = load('alertmanager: {urls: [http://am]}', ['--alertmanager-url', 'http://other/#x', '--external-url', ''], {
      ZK_EXPORTER_ALERTMANAGER_URLS: 'http://a?b',
    });
    expect(result.ok ? [] : result.problems).toStrictEqual([
      { path: 'ZK_EXPORTER_ALERTMANAGER_URLS[0]', message: 'must be a base URL, without query or fragment' },
      { path: '--alertmanager-url[0]', message: 'must be a base URL, without query or fragment' },
      { path: '--external-url', message: 'must start with http:// or https://' },
    ]);
  });

  it("takes the URLs of repeated --alertmanager-url flags instead of the file's list", () => {
    const result = load('alertmanager: {urls: ["http://one:9093"]}', [
      '--alertmanager-url',
      'http://two:9093',
      '--alertmanager-url',
      'http://three:9093',
    ]);
    expect(result.ok && result.config.alertmanager?.urls).toStrictEqual(['http://two:9093', 'http://three:9093']);
  });
});
