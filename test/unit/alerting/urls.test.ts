import { describe, expect, it } from 'vitest';
import { alertmanagerEndpoints, defaultExternalUrl } from '../../../src/alerting/urls.js';

describe('alertmanagerEndpoints', () => {
  it('moves user and password into a basic auth header and keeps them out of the URL and the label', () => {
    const [am] = alertmanagerEndpoints(['https://ops:p%40ss@am.example:9093/prefix/']);
    expect(am).toEqual({
      url: 'https://am.example:9093/prefix/api/v2/alerts',
      authorization: `Basic ${Buffer.from('ops:p@ss').toString('base64')}`,
      label: 'am.example:9093',
    });
  });

  it('labels by host and port, numbering those that share one', () => {
    const labels = alertmanagerEndpoints(['http://a:9093', 'http://b:9093', 'http://a:9093/other']).map((e) => e.label);
    expect(labels).toEqual(['a:9093#1', 'b:9093', 'a:9093#3']);
  });

  it('sends no authorization without credentials', () => {
    expect(alertmanagerEndpoints(['http://127.0.0.1:9093'])[0]).toEqual({
      url: 'http://127.0.0.1:9093/api/v2/alerts',
      label: '127.0.0.1:9093',
    });
  });
});

describe('defaultExternalUrl', () => {
  it('uses the listen host, this machine for a wildcard, brackets for IPv6, https with TLS', () => {
    expect(defaultExternalUrl('127.0.0.1', 9141, false, 'box')).toBe('http://127.0.0.1:9141');
    expect(defaultExternalUrl('0.0.0.0', 9141, false, 'box')).toBe('http://box:9141');
    expect(defaultExternalUrl('::', 9141, true, 'box')).toBe('https://box:9141');
    expect(defaultExternalUrl('::1', 9141, false, 'box')).toBe('http://[::1]:9141');
  });
});
