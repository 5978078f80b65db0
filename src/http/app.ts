import express, { type Express, type Router } from 'express';

/** What the HTTP layer reads; it never triggers polling itself. */
export interface HttpSources {
  /**
   * Renders the Prometheus exposition from in-memory state; with `gzip`, it may answer the body
   * already compressed (`{ gzip }`).
   */
  renderMetrics(options?: { gzip?: boolean }): Promise<Buffer | { gzip: Buffer }>;
  metricsContentType: string;
  /** True once the first poll round has finished. */
  ready(): boolean;
  /** JSON view of every ensemble. */
  ensembles(): unknown[];
  /** JSON view of one ensemble, or undefined for an unknown name. */
  ensemble(name: string): unknown;
  /** Names of the configured ensembles, for the 404 message. */
  ensembleNames(): string[];
}

/** Builds the express app: /metrics, /healthz, /readyz, the JSON API, and any extra routers (status page, hooks). */
export function createApp(sources: HttpSources, extra: Router[] = []): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('json spaces', 2);
  for (const router of extra) app.use(router);

  app.get('/metrics', async (req, res, next) => {
    try {
      // Prometheus asks for gzip; at 1,000 nodes the text is tens of MB and compresses about 10×.
      const body = await sources.renderMetrics({ gzip: req.acceptsEncodings('gzip', 'identity') === 'gzip' });
      res.vary('Accept-Encoding').type(sources.metricsContentType);
      // res.end, not res.send: send would hash the whole body for an ETag that no scraper uses.
      if (Buffer.isBuffer(body)) {
        res.setHeader('Content-Length', body.length);
        res.end(body);
      } else {
        res.setHeader('Content-Encoding', 'gzip');
        res.setHeader('Content-Length', body.gzip.length);
        res.end(body.gzip);
      }
    } catch (err) {
      next(err);
    }
  });
  app.get('/healthz', (_req, res) => {
    res.type('text/plain').send('ok\n');
  });
  app.get('/readyz', (_req, res) => {
    if (sources.ready()) res.type('text/plain').send('ready\n');
    else res.status(503).type('text/plain').send('not ready: the first poll round has not finished\n');
  });
  app.get('/api/v1/ensembles', (_req, res) => {
    res.json({ ensembles: sources.ensembles() });
  });
  app.get('/api/v1/ensembles/:name', (req, res) => {
    const view = sources.ensemble(req.params.name);
    if (view === undefined) {
      res.status(404).json({
        error: `unknown ensemble "${req.params.name}"`,
        known: sources.ensembleNames(),
      });
      return;
    }
    res.json(view);
  });
  app.use((_req: express.Request, res: express.Response) => {
    res.status(404).json({ error: 'not found' });
  });
  app.use(jsonErrors);
  return app;
}

/**
 * Last error handler of every app: JSON with a reason and the error's own 4xx status (a bad path
 * escape is 400), never express's HTML page with its stack trace and install paths.
 */
function jsonErrors(err: unknown, _req: express.Request, res: express.Response, next: express.NextFunction): void {
  if (res.headersSent) {
    next(err);
    return;
  }
  const e = err as { status?: unknown; statusCode?: unknown; expose?: unknown; message?: unknown };
  const status = typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : 500;
  if (status >= 400 && status < 500) {
    // Client errors from express and its parsers carry a message meant for the client.
    const reason =
      err instanceof URIError
        ? 'malformed percent-encoding in the path'
        : typeof e.message === 'string' && e.expose !== false
          ? e.message
          : 'bad request';
    res.status(status).json({ error: reason.slice(0, 300) });
    return;
  }
  res.status(500).json({ error: 'internal error' });
}

/** An app with only the given routers (the hooks' separate listener). */
export function createRouterApp(routers: Router[]): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('json spaces', 2);
  for (const router of routers) app.use(router);
  app.use((_req: express.Request, res: express.Response) => {
    res.status(404).json({ error: 'not found' });
  });
  app.use(jsonErrors);
  return app;
}
