import { isAbsolute } from 'node:path';
import { z } from 'zod';
import { toAddressList } from '../core/address-list.js';
import { absolutePathSchema, addressSchema, strictObject } from '../core/schema.js';

export const DEFAULT_CONFIG_PATH = '/etc/cohort/config.json';
export const DEFAULT_STATE_DIR = '/run/cohort';
export const DEFAULT_COORDINATOR = 'unix:///run/cohort/cohortd.sock';

/** Milliseconds as a whole number within a range. */
function milliseconds(min: number, max: number, fallback: number) {
  return z
    .number({
      error: `must be a whole number of milliseconds from ${min} to ${max}; set a number in that range`,
    })
    .int({
      error: `must be a whole number of milliseconds from ${min} to ${max}; set a number in that range`,
    })
    .min(min, {
      error: (issue) =>
        `must be a whole number of milliseconds from ${min} to ${max} (got ${String(issue.input)}); set a number in that range`,
    })
    .max(max, {
      error: (issue) =>
        `must be a whole number of milliseconds from ${min} to ${max} (got ${String(issue.input)}); set a number in that range`,
    })
    .default(fallback);
}

const tlsPath = z
  .string({
    error: (issue) =>
      issue.input === undefined
        ? 'is missing: coordinator.tls needs all of ca, cert and key; give the three PEM file paths'
        : 'must be a PEM file path',
  })
  .refine(isAbsolute, { error: 'must be an absolute path; write the full path from /' });

const clientTls = strictObject({ ca: tlsPath, cert: tlsPath, key: tlsPath });

const pageServerTls = strictObject({
  cacert: absolutePathSchema.optional(),
  cacrl: absolutePathSchema.optional(),
  cert: absolutePathSchema.optional(),
  key: absolutePathSchema.optional(),
  noCnVerify: z.boolean().default(false),
}).refine((tls) => (tls.cert === undefined) === (tls.key === undefined), {
  path: ['cert'],
  error: 'and "key" must be given together; set both or neither',
});

/** One address, or a list: every replica of a coordinator on etcd (clients find the leader). */
const addresses = z
  .union([addressSchema(), z.array(addressSchema())], {
    error:
      'must be an address ("unix:///path" or "host:port") or a list of them, one per replica; fix the value',
  })
  .default(DEFAULT_COORDINATOR)
  .transform(toAddressList)
  .superRefine((list, context) => {
    if (list.length === 0)
      context.addIssue({ code: 'custom', message: 'lists no address; name at least one replica' });
    const twice = list.find((address, index) => list.indexOf(address) !== index);
    if (twice !== undefined)
      context.addIssue({ code: 'custom', message: `names ${twice} twice; name each replica once` });
  });

const coordinator = strictObject({
  /** `unix:///path` or `host:port`, or a list of them (TCP needs `tls` unless `insecure`). */
  address: addresses,
  tls: clientTls.optional(),
  insecure: z.boolean().default(false),
  connectTimeoutMs: milliseconds(100, 600_000, 5_000),
  /** How long a session keeps asking a restarted coordinator for a decision it may have recorded. */
  reconnectWindowMs: milliseconds(0, 3_600_000, 15_000),
});

/** cohort's config file, /etc/cohort/config.json: every key optional, every default here. */
export const configSchema = strictObject({
  /** The real runc (absolute: podman calls kill, pause, resume and delete with no PATH). */
  runc: absolutePathSchema.optional(),
  /** Node.js for the intercepted commands. */
  node: absolutePathSchema.optional(),
  /** Per-container CRIU configs and session channels. */
  stateDir: absolutePathSchema.default(DEFAULT_STATE_DIR),
  /** The CRIU action script attached to group members; default: this package's hooks/criu-action. */
  hook: absolutePathSchema.optional(),
  coordinator: coordinator.default(() => coordinator.parse({})),
  criu: strictObject({ pageServerTls: pageServerTls.optional() }).default({}),
  session: strictObject({ heartbeatMs: milliseconds(50, 60_000, 1_000) }).default(() => ({
    heartbeatMs: 1_000,
  })),
}).superRefine((config, context) => {
  const { address, tls, insecure } = config.coordinator;
  // Checked even when the address itself failed: then it is still the raw value.
  const list: unknown[] = Array.isArray(address) ? address : [address];
  const tcp = list.find((a) => typeof a === 'string' && !a.startsWith('unix://'));
  if (tcp !== undefined && tls === undefined && !insecure) {
    context.addIssue({
      code: 'custom',
      path: ['coordinator', 'address'],
      message: `is TCP (${tcp}) but no "tls" is set; add coordinator.tls { ca, cert, key } for mutual TLS, or set coordinator.insecure: true`,
    });
  }
});

export type ConfigFile = z.output<typeof configSchema>;

/** The config as every part of cohort sees it: validated, defaults filled, frozen. */
export type CohortConfig = ConfigFile & { hook: string };
export type CoordinatorConfig = CohortConfig['coordinator'];
export type ClientTlsConfig = NonNullable<CoordinatorConfig['tls']>;
export type PageServerTlsConfig = NonNullable<CohortConfig['criu']['pageServerTls']>;
