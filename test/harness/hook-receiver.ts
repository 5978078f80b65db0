import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Webhook } from 'standardwebhooks';
import { verifySignature } from '../../src/hooks/signing.js';

/** One request the receiver got. */
export interface ReceivedHook {
  at: number;
  idempotencyKey: string;
  signature: string | undefined;
  /** Whether the signature verified against the receiver's secrets. */
  verified: boolean;
  /** With a Standard Webhooks verifier: `ok`, or why the package refused the request. */
  standardWebhook?: string;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
  raw: string;
}

/**
 * A real HTTP hook receiver for tests: verifies `X-Zk-Signature`, honours `Idempotency-Key` (a key
 * seen before is answered 200 and not counted again), and can be taken down and brought back on the
 * same port.
 */
export class HookReceiver {
  readonly requests: ReceivedHook[] = [];
  /** Requests whose key was new: what an idempotent receiver acts on. */
  readonly effective: ReceivedHook[] = [];
  private server: http.Server | undefined;
  private port = 0;
  /** Status to answer with (200 by default). */
  status = 200;

  /** `standard`: also verify each request with the standardwebhooks package, as a receiver using it would. */
  constructor(
    private readonly secrets: string[],
    private readonly standard?: Webhook,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  /** Listens (on the same port as before when restarted). */
  async start(): Promise<void> {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const signature = req.headers['x-zk-signature'] as string | undefined;
        const idempotencyKey = String(req.headers['idempotency-key'] ?? '');
        const verified = verifySignature(signature, raw, this.secrets, Math.floor(Date.now() / 1000)).ok;
        const hook: ReceivedHook = {
          at: Date.now(),
          idempotencyKey,
          signature,
          verified,
          ...(this.standard ? { standardWebhook: standardVerdict(this.standard, raw, req.headers) } : {}),
          headers: req.headers,
          body: JSON.parse(raw) as Record<string, unknown>,
          raw,
        };
        this.requests.push(hook);
        if (this.status < 300 && !this.effective.some((h) => h.idempotencyKey === idempotencyKey)) this.effective.push(hook);
        res.writeHead(this.status, { 'content-type': 'application/json' }).end('{}');
      });
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
  }

  /** Stops listening: connections are refused until {@link start}. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Effective deliveries of one event. */
  of(event: string): ReceivedHook[] {
    return this.effective.filter((h) => h.body.event === event);
  }
}

/** What the standardwebhooks package says about one request: `ok` or its error message. */
function standardVerdict(webhook: Webhook, raw: string, headers: http.IncomingHttpHeaders): string {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (typeof value === 'string') flat[name] = value;
  try {
    webhook.verify(raw, flat);
    return 'ok';
  } catch (err) {
    return (err as Error).message;
  }
}
