/**
 * The registry of rate-limited public mutations. Plain constants with no server imports, so the
 * UI can tell which refusals to report (`rateLimit.reportRejected`).
 */
import type { TierName } from '@armor/rate-limit';

/**
 * The public rate-limited mutations and their tiers. `armorMutation` refuses to define a
 * rate-limited mutation missing here (at module load), and `rateLimit.reportRejected` accepts
 * only these names, so client reports cannot invent limiters.
 */
export const RATE_LIMITED_MUTATIONS: Readonly<Record<string, TierName>> = {
  'users.ensure': 'strict',
  'projects.create': 'standard',
  'projects.rename': 'standard',
  'comments.add': 'standard',
  'comments.remove': 'standard',
  'monitoring.recordClientSamples': 'standard',
  'monitoring.reportClientError': 'standard',
  'rateLimit.reportRejected': 'standard',
};

/** The mutations whose refusals the client reports (all but the report itself). */
export const REPORTABLE_LIMITERS = Object.keys(RATE_LIMITED_MUTATIONS).filter((name) => name !== 'rateLimit.reportRejected');
