import path from 'node:path';
import express, { type Request, type Response, type Router } from 'express';
import type { EnsembleState } from '../ensemble/types.js';

/** Folder of the page's static files (copied next to this module by `npm run build`). */
const PAGE_DIR = path.join(import.meta.dirname, 'page');
/** The compiled view model, shared by the page and the unit tests. */
const MODEL_FILE = path.join(import.meta.dirname, 'status-model.js');

/** A stream whose client reads slower than this many buffered bytes is dropped; it reconnects to a fresh snapshot. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
/** Comment lines keep idle streams open through proxies that close silent connections. */
const HEARTBEAT_MS = 15_000;

/** What the page needs to know once, sent as the stream's first event. */
export interface PageHello {
  version: string;
  intervalMs: number;
  /** Most transitions the agent keeps per ensemble (tells the page when older ones were dropped). */
  timelineLimit: number;
  /** True when the hooks API is served on this listener, so the page may read deliveries. */
  hooks: boolean;
}

function frame(event: string, data: unknown): string {
  // JSON.stringify never emits a raw newline, so one `data:` line holds the whole payload.
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * Server-sent events for the status page: a snapshot of every ensemble on connect, then each
 * ensemble's state as soon as a round has derived it.
 */
export class StatusFeed {
  private readonly clients = new Set<Response>();
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(
    private readonly hello: PageHello,
    private readonly states: () => Iterable<EnsembleState>,
  ) {}

  /** Sends one ensemble's new state to every connected page. */
  publish(state: EnsembleState): void {
    if (this.clients.size === 0) return;
    const data = frame('ensemble', state);
    for (const res of this.clients) this.write(res, data);
  }

  /** Pages connected now. */
  get size(): number {
    return this.clients.size;
  }

  /** Serves one event stream until the client goes away. */
  attach(req: Request, res: Response): void {
    res.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache',
      // Proxies that buffer responses would hold the events back.
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    this.clients.add(res);
    req.on('close', () => this.detach(res));
    res.write('retry: 2000\n\n');
    res.write(frame('hello', this.hello));
    for (const state of this.states()) this.write(res, frame('ensemble', state));
    this.heartbeat ??= setInterval(() => {
      for (const client of this.clients) this.write(client, ': keep-alive\n\n');
    }, HEARTBEAT_MS).unref();
  }

  private write(res: Response, data: string): void {
    if (res.writableLength > MAX_BUFFERED_BYTES) {
      this.detach(res);
      res.end();
      return;
    }
    res.write(data);
  }

  private detach(res: Response): void {
    this.clients.delete(res);
    if (this.clients.size === 0 && this.heartbeat) {
      clearInterval(this.heartbeat);
      this.heartbeat = undefined;
    }
  }
}

// The page loads only its own files: no inline script, no CDN, no frames.
const PAGE_CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'";

/** The status page: `/` (HTML), `/ui/page/*` (its script and style), `/ui/status-model.js`, `/ui/events` (SSE). */
export function createStatusPageRouter(feed: StatusFeed): Router {
  const router = express.Router();
  router.get('/', (_req, res) => {
    res.set('Content-Security-Policy', PAGE_CSP).sendFile(path.join(PAGE_DIR, 'index.html'));
  });
  router.use('/ui/page', express.static(PAGE_DIR, { index: false }));
  router.get('/ui/status-model.js', (_req, res) => {
    res.type('text/javascript').sendFile(MODEL_FILE);
  });
  router.get('/ui/events', (req, res) => feed.attach(req, res));
  return router;
}
