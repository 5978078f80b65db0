/**
 * `GET /probe?target=HOST:PORT[,HOST:PORT…]&ensemble=NAME`: polls the given nodes once and answers that
 * ensemble's series, for a Prometheus that finds ensembles itself (see README, *Probe mode*).
 */
import express, { type Router } from 'express';
import type { NodeSample } from '../commands/index.js';
import type { ServerTarget } from '../model/target.js';
import { parseProbeQuery, SCRAPE_TIMEOUT_HEADER } from './probe-query.js';
import { renderProbe } from './probe-result.js';

/** What the route needs: a way to poll, the exposition's content type, a clock. */
export interface ProbeRouteOptions {
  /** Polls every target once, each finished by `deadline` (epoch ms). */
  poll(ensemble: string, targets: readonly ServerTarget[], deadline: number): Promise<NodeSample[]>;
  contentType: string;
  now?: () => number;
}

/** The `/probe` router. Bad input is answered 400 with a plain-text reason; nothing is polled then. */
export function createProbeRouter(options: ProbeRouteOptions): Router {
  const now = options.now ?? Date.now;
  const router = express.Router();
  router.get('/probe', async (req, res, next) => {
    const parsed = parseProbeQuery(req.query, req.get(SCRAPE_TIMEOUT_HEADER));
    if (!parsed.ok) {
      res.status(400).type('text/plain').send(`${parsed.message}\n`);
      return;
    }
    const { ensemble, targets, budgetMs } = parsed.value;
    try {
      const startedAt = now();
      const samples = await options.poll(ensemble, targets, startedAt + budgetMs);
      res.type(options.contentType).send(renderProbe({ ensemble, targets, samples, startedAt, finishedAt: now() }));
    } catch (err) {
      next(err);
    }
  });
  return router;
}
