/**
 * The audit event users append, its zod schema, and how it becomes a stored event plus
 * erasable personal data.
 *
 * @module
 */
import { ValidationError } from '@armor/errors';
import { z } from 'zod';
import { personalCommitment as canonicalCommitment, type PersonalData, type StoredEvent } from './entry.js';
import { canonicalize } from './jcs.js';

/** Version of the event schema written into every event (`schemaVersion`). */
export const AUDIT_EVENT_SCHEMA_VERSION = 1;

const id = z.string().min(1).max(256);
const label = z.string().min(1).max(64);

/**
 * The schema {@link AuditEventInput} is validated with at `append`. Unknown keys are refused
 * (a typo must not silently drop data).
 */
export const auditEventSchema = z
  .object({
    /** What happened, e.g. `api_key.revoked`: letters, digits and `_ . : -`, up to 128 characters. */
    action: z
      .string()
      .min(1)
      .max(128)
      .regex(/^[A-Za-z0-9][\w.:-]*$/, 'letters, digits and _ . : - only'),
    /** Who did it. `name` is personal data (erasable). */
    actor: z.object({ id, type: label.default('user'), name: z.string().max(256).optional() }).strict(),
    /** What it was done to. @default [] */
    targets: z
      .array(z.object({ type: label, id }).strict())
      .max(32)
      .default([]),
    /** @default 'success' */
    outcome: z.enum(['success', 'failure', 'denied']).default('success'),
    /** Request context. `ip` and `userAgent` are personal data (erasable). */
    context: z
      .object({
        ip: z.string().max(64).optional(),
        userAgent: z.string().max(512).optional(),
        requestId: z.string().max(128).optional(),
        sessionId: z.string().max(128).optional(),
      })
      .strict()
      .default({}),
    /** Non-personal details (JSON). Redacted before hashing. @default {} */
    metadata: z.record(z.string(), z.json()).default({}),
    /** Personal details (JSON), stored erasably. Redacted before hashing. */
    personal: z.record(z.string(), z.json()).optional(),
    /** A retried append with the same key (per stream) writes once. */
    idempotencyKey: z.string().min(1).max(256).optional(),
  })
  .strict();

/** What `append` accepts. */
export type AuditEventInput = z.input<typeof auditEventSchema>;

/** Validates an event, throwing {@link ValidationError} with one issue per problem (paths, no values). */
export function parseEvent(input: unknown): z.output<typeof auditEventSchema> {
  const result = auditEventSchema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: issue.path.length ? `/${issue.path.map(String).join('/')}` : '',
    message: issue.message,
    code: issue.code,
  }));
  throw new ValidationError(`Invalid audit event: ${issues.map((i) => `${i.path || '/'} ${i.message}`).join('; ')}`, { issues });
}

/**
 * Splits a validated event into the hashed part and the erasable personal data.
 * @param redact - applied to `metadata` and the personal data before anything is hashed or stored
 * @param salt - returns 32 hex characters of fresh randomness (called only when there is personal data)
 */
export function splitEvent(
  event: z.output<typeof auditEventSchema>,
  redact: <T>(value: T) => T,
  salt: () => string,
): { stored: StoredEvent; personal: PersonalData | null; eventJcs: string } {
  const personalData: Record<string, unknown> = {};
  if (event.actor.name !== undefined) personalData.actorName = event.actor.name;
  if (event.context.ip !== undefined) personalData.ip = event.context.ip;
  if (event.context.userAgent !== undefined) personalData.userAgent = event.context.userAgent;
  if (event.personal !== undefined) personalData.personal = event.personal;
  const personal = Object.keys(personalData).length ? { salt: salt(), data: redact(personalData) } : null;
  const context: StoredEvent['context'] = {};
  if (event.context.requestId !== undefined) context.requestId = event.context.requestId;
  if (event.context.sessionId !== undefined) context.sessionId = event.context.sessionId;
  const stored: StoredEvent = {
    action: event.action,
    actor: { id: event.actor.id, type: event.actor.type },
    targets: event.targets,
    outcome: event.outcome,
    context,
    metadata: redact(event.metadata) as Record<string, unknown>,
    schemaVersion: AUDIT_EVENT_SCHEMA_VERSION,
  };
  if (event.idempotencyKey !== undefined) stored.idempotencyKey = event.idempotencyKey;
  if (personal) stored.personalCommitment = canonicalCommitment(personal);
  return { stored, personal, eventJcs: canonicalize(stored) };
}

