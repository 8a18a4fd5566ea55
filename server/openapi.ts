// OpenAPI 3.1 document generated from the ControlRoutes table.
import { z } from 'zod';
import { ErrorBody } from '../signaling/common.js';
import { AccountRoutes, type AccountRouteDef } from '../signaling/accounts.js';
import { ControlRoutes, type RouteDef } from '../signaling/control-routes.js';
import { CONTROL_NAMESPACE, ControlEventSchemas, ControlHandshake, ControlPushSchemas } from '../signaling/control.js';

const js = (s: z.ZodType, io: 'input' | 'output') => z.toJSONSchema(s, { io, unrepresentable: 'any', target: 'draft-2020-12' });

export function buildOpenApi(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const table: [string, RouteDef | AccountRouteDef][] = [...Object.entries(ControlRoutes), ...Object.entries(AccountRoutes).map(([n, d]) => [`account.${n}`, d] as [string, AccountRouteDef])];
  for (const [name, d] of table) {
    const path = d.path.replace(/:([a-zA-Z]+)/g, '{$1}');
    const parameters: unknown[] = [];
    for (const [where, schema] of [['path', d.params], ['query', d.query]] as const) {
      if (!schema) continue;
      for (const [k, v] of Object.entries(schema.shape)) {
        parameters.push({ name: k, in: where, required: where === 'path' || !(v as z.ZodType).safeParse(undefined).success, schema: js(v as z.ZodType, 'input') });
      }
    }
    const ok = 'produces' in d && d.produces
      ? Object.fromEntries(d.produces.map((t) => [t, t === 'application/json' ? { schema: js(z.object({ ok: z.literal(true), data: d.res }), 'output') } : { schema: { type: 'string', format: 'binary' } }]))
      : { 'application/json': { schema: js(z.object({ ok: z.literal(true), data: d.res }), 'output') } };
    const op: Record<string, unknown> = {
      operationId: name,
      summary: d.summary,
      description: 'roles' in d ? `Roles: ${d.roles.join(', ')}` : `Account session: ${d.access}`,
      security: 'access' in d && d.access === 'public' ? [] : [{ bearer: [] }],
      parameters,
      responses: {
        '200': { description: 'ok', content: ok },
        '4XX': { description: 'typed error', content: { 'application/json': { schema: js(z.object({ ok: z.literal(false), error: ErrorBody }), 'output') } } },
      },
    };
    if (d.body) op.requestBody = { required: true, content: { 'application/json': { schema: js(d.body, 'input') } } };
    if ('rawBody' in d && d.rawBody) op.requestBody = { required: true, content: { '*/*': { schema: { type: 'string', format: 'binary' } } } };
    (paths[path] ??= {})[d.method] = op;
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Điểm Cầu control service', version: '0.1.0', description: 'Conference, sites, attendance, agenda, materials. Socket.io events: see signaling/control.ts.' },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    paths,
    /** Socket.io namespace, client→server events (payload and Ack data) and server pushes. */
    'x-socketio': {
      namespace: CONTROL_NAMESPACE,
      handshakeAuth: js(ControlHandshake, 'input'),
      events: Object.fromEntries(Object.entries(ControlEventSchemas).map(([name, e]) => [name, { payload: js(e.req, 'input'), ack: js(e.res, 'output') }])),
      pushes: Object.fromEntries(Object.entries(ControlPushSchemas).map(([name, p]) => [name, js(p as z.ZodType, 'output')])),
    },
  };
}
