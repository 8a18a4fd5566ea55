// The relay hop's layer cap, between a child node and its parent (namespace
// `/node`): the child measures the hop and asks its parent to send one chosen
// simulcast layer of a relayed video instead of all of them (or all again).
// Browser-safe: zod only.
import { z } from 'zod';
import { PipeEndpoint } from './media.js';

export const HopEvents = {
  /** child → parent: send `producerId` as one layer (`layer`), or every layer again (null). */
  cap: 'node:hop:cap',
} as const;

export const HopCapReq = z.object({
  conf: z.string().min(1).max(200),
  producerId: z.string().min(1).max(200),
  /** The spatial layer to send (0 = lowest); null = every layer over the pipe again. */
  layer: z.number().int().min(0).max(7).nullable(),
  /** The child's plain transport for the one-layer stream (first cap of this producer only). */
  endpoint: PipeEndpoint.optional(),
});
export type HopCapReq = z.infer<typeof HopCapReq>;

/** A first cap: the parent's end of the one-layer stream and what the child produces with. */
export const HopCapRes = z.object({
  endpoint: PipeEndpoint.optional(),
  rtpParameters: z.looseObject({}).optional(),
  paused: z.boolean().optional(),
});
export type HopCapRes = z.infer<typeof HopCapRes>;
