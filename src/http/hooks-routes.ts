import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { checkDuration } from '../model/duration.js';
import type { EnsembleState } from '../ensemble/types.js';
import { parseAlertmanagerPayload } from '../hooks/decide/alertmanager.js';
import { checkAuthorization } from '../hooks/auth.js';
import { HookStoreUnavailableError, PEER_VIEW_PATH, type HookService } from '../hooks/service.js';
import { HOOK_EVENTS } from '../model/hook-events.js';
import { jsonBodyReader } from './hooks-body.js';
import type { AuditEntry } from '../hooks/types.js';

/** What the hook routes read besides the service. */
export interface HookRouteSources {
  hooks: HookService;
  maxBodyBytes: number;
  states(): Iterable<EnsembleState>;
  ensembleNames(): string[];
}

const AUDIT_TYPES = ['intent', 'attempt', 'result', 'suppressed', 'skipped', 'ack', 'pause', 'resume', 'duplicate'] as const;

const ackSchema = z.strictObject({
  ensemble: z.string().min(1),
  event: z.enum(HOOK_EVENTS),
  hook: z.string().min(1).optional(),
  by: z.string().min(1),
  comment: z.string().optional(),
});
const pauseSchema = z.strictObject({
  by: z.string().min(1),
  reason: z.string().optional(),
  /** How long, e.g. `30m`; absent = until resumed. */
  for: z.string().optional(),
  ensembles: z.array(z.string().min(1)).optional(),
});
const resumeSchema = z.strictObject({ by: z.string().min(1) });

function reasonOf(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : 'body'}: ${i.message}`).join('; ');
}

/**
 * The Alertmanager receiver and the hooks API. Mutating routes and the receiver need a bearer token
 * from `--receiver-token-file`; without one configured they are refused rather than left open.
 */
export function createHookRouter(sources: HookRouteSources): Router {
  const router = express.Router();
  const { hooks } = sources;
  // The limit is enforced while streaming; charset and depth are checked before JSON.parse.
  const json = jsonBodyReader(sources.maxBodyBytes);

  const requireToken = (req: Request, res: Response, next: NextFunction): void => {
    if (hooks.receiverTokens.length === 0) {
      res.status(401).json({ error: 'no receiver token is configured (--receiver-token-file); this endpoint is disabled' });
      return;
    }
    if (!checkAuthorization(req.get('authorization'), { bearer: [...hooks.receiverTokens] })) {
      res.status(401).set('WWW-Authenticate', 'Bearer').json({ error: 'missing or invalid bearer token' });
      return;
    }
    next();
  };
  // Token checked before the body is read: an unauthenticated caller cannot make the agent parse anything.
  const guarded = [requireToken, json];

  router.post('/api/v1/alertmanager', ...guarded, async (req, res) => {
    const parsed = parseAlertmanagerPayload(req.body);
    if (!parsed.ok) {
      res.status(400).json({ error: parsed.reason });
      return;
    }
    // 202 only once the intents are fsynced (concurrent payloads share one fsync): a crash after it loses nothing.
    try {
      const done = await hooks.acceptAlerts(parsed.payload);
      res.status(202).json({ accepted: parsed.payload.alerts.length, ...done });
    } catch (err) {
      // Not durable: Alertmanager retries on 5xx. The service has logged and counted it.
      const reason = err instanceof HookStoreUnavailableError ? err.message : 'hook intents could not be written to the outbox';
      res.status(503).json({ error: reason });
    }
  });

  router.get('/api/v1/hooks/deliveries', (req, res) => {
    const limit = Number(req.query.limit ?? 100);
    const type = req.query.type;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      res.status(400).json({ error: 'limit must be an integer from 1 to 1000' });
      return;
    }
    if (type !== undefined && !(AUDIT_TYPES as readonly unknown[]).includes(type)) {
      res.status(400).json({ error: `type must be one of ${AUDIT_TYPES.join(', ')}` });
      return;
    }
    const filter: { hook?: string; ensemble?: string; type?: AuditEntry['type'] } = {};
    if (typeof req.query.hook === 'string') filter.hook = req.query.hook;
    if (typeof req.query.ensemble === 'string') filter.ensemble = req.query.ensemble;
    if (typeof type === 'string') filter.type = type as AuditEntry['type'];
    res.json({ entries: hooks.deliveries(limit, filter) });
  });

  router.get('/api/v1/hooks/status', (_req, res) => {
    res.json(hooks.status(sources.ensembleNames()));
  });

  // Peers send the receiver token when one is configured; without one the view is open, like /metrics.
  const peerAuth = (req: Request, res: Response, next: NextFunction): void =>
    hooks.receiverTokens.length > 0 ? requireToken(req, res, next) : next();
  router.get(PEER_VIEW_PATH, peerAuth, (_req, res) => {
    res.json(hooks.peerReport(sources.states()));
  });

  router.post('/api/v1/hooks/ack', ...guarded, (req, res) => {
    const body = ackSchema.safeParse(req.body);
    if (!body.success) {
      res.status(400).json({ error: reasonOf(body.error) });
      return;
    }
    if (!sources.ensembleNames().includes(body.data.ensemble)) {
      res.status(404).json({ error: `unknown ensemble "${body.data.ensemble}"` });
      return;
    }
    const { hook, comment, ...rest } = body.data;
    res.json(hooks.acknowledge({ ...rest, ...(hook ? { hook } : {}), ...(comment !== undefined ? { comment } : {}) }));
  });

  router.post('/api/v1/hooks/pause', ...guarded, (req, res) => {
    const body = pauseSchema.safeParse(req.body);
    if (!body.success) {
      res.status(400).json({ error: reasonOf(body.error) });
      return;
    }
    let forMs: number | undefined;
    if (body.data.for !== undefined) {
      const duration = checkDuration(body.data.for);
      if (!duration.ok || duration.ms <= 0) {
        res.status(400).json({ error: `for: ${duration.ok ? 'must be greater than 0' : duration.message}` });
        return;
      }
      forMs = duration.ms;
    }
    const { by, reason, ensembles } = body.data;
    const known = sources.ensembleNames();
    const unknown = (ensembles ?? []).filter((e) => !known.includes(e));
    if (unknown.length > 0) {
      res.status(404).json({ error: `unknown ensemble${unknown.length > 1 ? 's' : ''} ${unknown.map((e) => `"${e}"`).join(', ')}`, known });
      return;
    }
    // The service turns `for` into an end time with its own clock, the one every other hook decision uses.
    res.json(
      hooks.pause({ by, ...(reason ? { reason } : {}), ...(ensembles ? { ensembles } : {}), ...(forMs !== undefined ? { forMs } : {}) }),
    );
  });

  router.post('/api/v1/hooks/resume', ...guarded, (req, res) => {
    const body = resumeSchema.safeParse(req.body);
    if (!body.success) {
      res.status(400).json({ error: reasonOf(body.error) });
      return;
    }
    res.json(hooks.resume(body.data));
  });

  return router;
}
