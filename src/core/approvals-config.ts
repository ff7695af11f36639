// The `approvals` section of vigil.yaml: where reviewers are told, how often replicas re-read
// decisions, access requests and break-glass. Each level's defaults are its fields' own (prefault).
import { z } from 'zod';
import { duration, principalPattern, secretRef } from './config-primitives.js';

const webhookSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
  /** slack: a Slack-compatible incoming-webhook message; json: Vigil's own event document. */
  format: z.enum(['slack', 'json']).default('json'),
  /** Signs each message (HMAC-SHA256 of `timestamp.body` in x-vigil-signature) so the receiver can check it came from Vigil, and when. */
  secret: secretRef.optional(),
});

export const approvalsSectionSchema = z
  .strictObject({
    /** Where reviewers are told about requests and decisions. */
    webhooks: z.array(webhookSchema).default([]),
    /** How often a gateway re-reads decisions made on another replica. */
    poll: duration.default(250),
    /** Access requests (`vigil request-access`): who approves, how many, the longest grant. */
    access_requests: z
      .strictObject({
        approvers: z.array(principalPattern).default([]),
        required: z.number().int().min(1).default(1),
        max_duration: duration.default(8 * 3_600_000),
        /** An undecided request expires after this. */
        timeout: duration.default(24 * 3_600_000),
        /** Requests one requester may have awaiting review; a further access request is refused (approval_limit). */
        max_pending: z.number().int().min(1).default(250),
      })
      .prefault({}),
    /** Break-glass: who may open emergency access without approval (recorded and flagged for review). */
    break_glass: z
      .strictObject({
        allowed: z.array(principalPattern).default([]),
        max_duration: duration.default(3_600_000),
        /** Who reviews a break-glass use afterwards. */
        reviewers: z.array(principalPattern).default([]),
      })
      .prefault({}),
  })
  .prefault({});
