import client from 'prom-client';

/** Registers `zookeeper_exporter_tls_insecure{ensemble} 1` for each ensemble whose certificates are not verified. */
export function registerTlsInsecure(registry: client.Registry, ensembles: readonly string[]): void {
  const gauge = new client.Gauge({
    name: 'zookeeper_exporter_tls_insecure',
    help: 'Whether TLS to the ensemble skips certificate verification (insecureSkipVerify): 1 when it does.',
    labelNames: ['ensemble'] as const,
    registers: [registry],
  });
  for (const ensemble of ensembles) gauge.set({ ensemble }, 1);
}
