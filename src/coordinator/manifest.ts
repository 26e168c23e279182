import { z } from 'zod';
import { CohortError, ErrorCode } from '../core/errors.js';
import { MAX_MEMBERS } from '../core/names.js';
import {
  describeIssues,
  durationSchema,
  nameSchema,
  parseWith,
  strictObject,
} from '../core/schema.js';
import { DEADLINE_RANGE, DEADLINE_SETTINGS } from './deadlines.js';
import type { Deadlines, GroupManifest } from './types.js';

export { MAX_MEMBERS } from '../core/names.js';

const optionalDeadline = durationSchema(DEADLINE_RANGE).optional();
type DeadlineField = (typeof DEADLINE_SETTINGS)[number]['field'];

const deadlinesSchema = strictObject(
  Object.fromEntries(
    DEADLINE_SETTINGS.map((setting) => [setting.field, optionalDeadline]),
  ) as Record<DeadlineField, typeof optionalDeadline>,
);

/**
 * A group manifest as users write it (YAML or JSON), the one declaration of its shape: cohortctl
 * checks files against it, cohortd checks what it receives against it, and
 * schemas/group-manifest.schema.json is made from it for editors.
 */
export const manifestSchema = strictObject({
  name: nameSchema.meta({ description: 'The group: io.cohort.group on its containers.' }),
  members: z
    .array(nameSchema, { error: 'must be a list of member names' })
    .max(MAX_MEMBERS, { error: `lists more than ${MAX_MEMBERS} members; split the group` })
    .meta({ description: "The members' names (io.cohort.member); or give size." })
    .optional(),
  size: z
    .number({ error: `must be a whole number from 1 to ${MAX_MEMBERS}` })
    .int({ error: `must be a whole number from 1 to ${MAX_MEMBERS}` })
    .min(0)
    .max(MAX_MEMBERS, { error: `must be a whole number from 1 to ${MAX_MEMBERS}` })
    .meta({ description: 'How many members, when their names are not listed.' })
    .optional(),
  deadlines: deadlinesSchema
    .meta({ description: "Stage deadlines, named as cohortd's --join-timeout etc.: 30s, 1m30s." })
    .optional(),
}).superRefine((manifest, context) => {
  const members = manifest.members ?? [];
  const seen = new Set<string>();
  members.forEach((member, index) => {
    if (seen.has(member)) {
      context.addIssue({
        code: 'custom',
        path: ['members', index],
        message: `"${member}" is listed twice; drop one`,
      });
    }
    seen.add(member);
  });
  const size = manifest.size ?? 0;
  if (members.length === 0 && size === 0) {
    context.addIssue({
      code: 'custom',
      path: ['members'],
      message: `group ${manifest.name} has zero members; list its members or give a size >= 1`,
    });
  } else if (members.length > 0 && size !== 0 && size !== members.length) {
    context.addIssue({
      code: 'custom',
      path: ['size'],
      message: `is ${size} but ${members.length} members are listed; drop one`,
    });
  }
});

export type ManifestFile = z.input<typeof manifestSchema>;

/** A manifest file's content as the protocol keeps it: deadlines in milliseconds. */
export function manifestFromFile(raw: unknown, label: string): GroupManifest {
  const file = parseWith(manifestSchema, raw, { label, code: ErrorCode.Manifest });
  const manifest: GroupManifest = { name: file.name };
  if (file.members !== undefined && file.members.length > 0) manifest.members = file.members;
  else manifest.size = file.size;
  const deadlines: Partial<Deadlines> = {};
  for (const setting of DEADLINE_SETTINGS) {
    const value = file.deadlines?.[setting.field];
    if (value !== undefined) deadlines[setting.key] = value;
  }
  if (Object.keys(deadlines).length > 0) manifest.deadlines = deadlines;
  return manifest;
}

/**
 * The same rules for a manifest in the protocol's form (cohortd's ApplyGroup): the error names
 * the field as that form spells it, `manifest.deadlines.joinMs: …`.
 */
export function validateManifest(manifest: GroupManifest): GroupManifest {
  const file = toFile(manifest);
  const result = manifestSchema.safeParse(file);
  if (!result.success) {
    const [first] = describeIssues(result.error, file);
    const field = protocolField(first?.field ?? '');
    throw new CohortError(
      ErrorCode.Manifest,
      `manifest.${field}: ${first?.problem ?? 'is invalid'}`,
      {
        details: { field: `manifest.${field}` },
      },
    );
  }
  return manifestFromFile(file, 'manifest');
}

/** A file-form field path in the protocol's words: deadlines.joinTimeout is deadlines.joinMs. */
function protocolField(field: string): string {
  const setting = DEADLINE_SETTINGS.find((s) => field === `deadlines.${s.field}`);
  return setting === undefined ? field : `deadlines.${setting.key}`;
}

function toFile(manifest: GroupManifest): ManifestFile {
  const file: ManifestFile = { name: manifest.name };
  if (manifest.members !== undefined && manifest.members.length > 0)
    file.members = manifest.members;
  if (manifest.size !== undefined) file.size = manifest.size;
  if (manifest.deadlines !== undefined) {
    const deadlines: Record<string, number> = {};
    for (const setting of DEADLINE_SETTINGS) {
      const value = manifest.deadlines[setting.key];
      if (value !== undefined) deadlines[setting.field] = value;
    }
    file.deadlines = deadlines;
  }
  return file;
}

/** The member count a manifest fixes. */
export function manifestSize(manifest: GroupManifest): number {
  return manifest.members?.length ?? manifest.size ?? 0;
}
