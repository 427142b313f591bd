import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Clock, Store } from '@parley/store';
import { tokenActor } from '../auth.js';
import type { Actor } from '../auth.js';
import { AuditLog, verifyAuditLog } from './audit.js';
import type { AuditAnchoring, AuditVerifyCache } from './audit.js';
import { installIdempotency } from './idempotency.js';
import { PasswordGate, SignInThrottle } from './rate-limit.js';
import type { SignInThrottleOptions } from './rate-limit.js';
import { accessRoutes } from './access-routes.js';
import { operatorRoutes } from './routes.js';
import { sessionActor } from './sessions.js';

export * from './access.js';
export * from './audit.js';
export * from './idempotency.js';
export * from './passwords.js';
export * from './rate-limit.js';
export * from './sessions.js';
export * from './users.js';

export interface OperatorOptions {
  /** Sign-in throttling: back-off per address, a bounded delay per name (see SignInThrottle). */
  signIn?: SignInThrottleOptions;
  /** Password checks at once (default 2), and sign-ins in progress per address (default 2). */
  passwordChecks?: { concurrency?: number; perAddress?: number };
}

/**
 * Operator accounts on a station: who a request is (bearer token or session cookie), sign-in
 * with rate limits, and the audit log of every operator action.
 */
export class Operators {
  readonly signIn: SignInThrottle;
  readonly gate: PasswordGate;
  readonly audit: AuditLog;
  /** How far the audit log's anchors were last verified (see `verifyAuditLog`). */
  private readonly verified: AuditVerifyCache = { seq: 0, hash: '' };

  /** With `anchoring`, audit records are signed with the station key (ADR 0004). */
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    opts: OperatorOptions = {},
    anchoring?: AuditAnchoring,
  ) {
    this.signIn = new SignInThrottle(opts.signIn);
    this.gate = new PasswordGate(
      opts.passwordChecks?.concurrency ?? 2,
      opts.passwordChecks?.perAddress ?? 2,
    );
    this.audit = new AuditLog(store, clock, anchoring);
  }

  /** Re-verifies the audit log: its hash chain and, when anchored, every record's signature. */
  readonly verifyAudit = () =>
    verifyAuditLog(
      this.store,
      this.audit.anchoring
        ? { station: this.audit.anchoring.station, cache: this.verified }
        : undefined,
    );

  /** A request with an Authorization header is a bearer token's; otherwise its session cookie's, if any. */
  readonly resolveActor = async (req: FastifyRequest): Promise<Actor | null> =>
    req.headers.authorization !== undefined
      ? tokenActor(this.store, req, this.clock.now())
      : sessionActor(this.store, this.clock, req);

  /** Installs the audit hook and the operator routes in the API scope. */
  readonly register = async (app: FastifyInstance): Promise<void> => {
    installIdempotency(app, this.store, this.clock);
    this.audit.install(app);
    await operatorRoutes(app, {
      store: this.store,
      clock: this.clock,
      signIn: this.signIn,
      gate: this.gate,
      audit: this.audit,
      verifyAudit: this.verifyAudit,
    });
    await accessRoutes(app, { store: this.store, clock: this.clock });
  };
}
