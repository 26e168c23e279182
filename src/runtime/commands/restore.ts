import { join } from 'node:path';
import { ErrorCode, isCohortError } from '../../core/errors.js';
import { cohortVersion } from '../../core/package-paths.js';
import { readImageManifest } from '../../criu/image-manifest.js';
import { coordinatorOptions } from '../../session/coordinator-options.js';
import { runSession } from '../../session/run-session.js';
import { parseRestoreArgs } from '../command-args.js';
import { EXEC_RUNC, type RuntimeContext, type Verdict } from '../context.js';
import { prepareBundle } from '../prepare-bundle.js';
import { requireSessionHost } from '../session-host-required.js';

/**
 * `restore`: the bundle gets this node's CRIU config (the old path may not exist here);
 * an image with a cohort manifest is restored as a member of its group.
 */
export async function restore(context: RuntimeContext): Promise<Verdict> {
  const args = parseRestoreArgs(context.argv.commandArgs, context.cwd);
  if (args.help || args.id === undefined) return EXEC_RUNC;
  const manifest = readImageManifest(args.imagePath);
  let config;
  try {
    config = context.config();
  } catch (error) {
    if (manifest !== undefined || !isCohortError(error, ErrorCode.Config)) throw error;
    context.report(
      'warning',
      `${error.message}; container ${args.id} is restored as plain runc would`,
    );
    return EXEC_RUNC;
  }
  const sessions =
    manifest === undefined
      ? undefined
      : requireSessionHost(context, 'restore', { ...manifest, containerId: args.id });
  const prepared = prepareBundle(config, args.bundle, args.id, context.argv.globals.root);
  for (const note of prepared.notes) context.report('info', note);
  if (manifest === undefined || sessions === undefined) return EXEC_RUNC;

  await sessions.requireCriu(context.argv.globals.criu ?? 'criu');
  const result = await runSession(
    {
      kind: 'restore',
      group: manifest.group,
      member: manifest.member,
      containerId: args.id,
      join: {
        group: manifest.group,
        member: manifest.member,
        kind: 'restore',
        checkpointEpoch: manifest.epoch,
        declaredMembers: manifest.members,
        heartbeatMs: config.session.heartbeatMs,
        imageLocation: args.imagePath,
      },
      coordinator: coordinatorOptions(config, prepared.declaration?.coordinator),
      runc: context.runc(),
      globalArgs: context.argv.globalArgs,
      env: context.env,
      imagePath: args.imagePath,
      ...(args.workPath === undefined ? {} : { criuLog: join(args.workPath, 'restore.log') }),
      cohortVersion: cohortVersion(),
      wasPaused: false,
    },
    sessions,
  );
  if (result.error !== undefined) context.report('error', result.error);
  return { kind: 'done', exitCode: result.exitCode };
}
