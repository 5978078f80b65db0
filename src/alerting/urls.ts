/**
 * Alertmanager URLs as the push client uses them: the API endpoint without credentials, the basic
 * auth header taken from the URL's user and password, and a metric label that holds no secret;
 * and the agent's default external URL. Pure.
 */

/** One configured Alertmanager, ready for requests. */
export interface AlertmanagerEndpoint {
  /** `<base>/api/v2/alerts`, without user or password (fetch refuses URLs that carry them). */
  url: string;
  /** `Basic …` when the configured URL had a user or password. */
  authorization?: string;
  /** The `alertmanager` metric label and log field: `host[:port]`, with `#<n>` (1-based position) when two share a host. */
  label: string;
}

/** Prepares the configured base URLs (already validated as http(s) URLs without query or fragment). */
export function alertmanagerEndpoints(urls: readonly string[]): AlertmanagerEndpoint[] {
  const parsed = urls.map((written) => new URL(written));
  const hostCount = new Map<string, number>();
  for (const u of parsed) hostCount.set(u.host, (hostCount.get(u.host) ?? 0) + 1);
  return parsed.map((u, i) => {
    const user = decodeURIComponent(u.username);
    const password = decodeURIComponent(u.password);
    const base = `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
    const endpoint: AlertmanagerEndpoint = {
      url: `${base}/api/v2/alerts`,
      label: (hostCount.get(u.host) ?? 0) > 1 ? `${u.host}#${i + 1}` : u.host,
    };
    if (user !== '' || password !== '') endpoint.authorization = `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
    return endpoint;
  });
}

/** `http(s)://<host>:<port>` of the listener; a wildcard host (every interface) becomes this machine's name. */
export function defaultExternalUrl(listenHost: string, port: number, tls: boolean, machine: string): string {
  const wildcard = listenHost === '' || listenHost === '0.0.0.0' || listenHost === '::' || listenHost === '[::]';
  const host = wildcard ? machine : listenHost;
  const shown = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `${tls ? 'https' : 'http'}://${shown}:${port}`;
}
