import { join } from 'node:path';
import { cohortVersion } from '../../core/package-paths.js';
import { readContainerState } from '../../runc/state.js';
import { coordinatorOptions } from '../../session/coordinator-options.js';
import { requireCriuForHooks } from '../../session/criu-version.js';
import { verifyHookAttached } from '../../session/verify-hook.js';
import { readGroupDeclaration } from '../../spec/annotations.js';
import { parseCheckpointArgs } from '../command-args.js';
import { EXEC_RUNC, type RuntimeContext, type Verdict } from '../context.js';

/** `checkpoint`: a group member's dump goes through a session; anything else is plain runc. */
export async function checkpoint(context: RuntimeContext): Promise<Verdict> {
  const args = parseCheckpointArgs(context.argv.commandArgs, context.cwd);
  // --pre-dump copies memory ahead of a dump: nothing to agree on yet.
  if (args.help || args.id === undefined || args.preDump) return EXEC_RUNC;
  const runc = context.runc();
  const { globalArgs } = context.argv;
  const state = await readContainerState(runc, globalArgs, args.id, context.env);
  if (state === undefined) return EXEC_RUNC;
  const declaration = readGroupDeclaration(state.annotations, args.id);
  if (declaration === undefined) return EXEC_RUNC;

  const config = context.config();
  verifyHookAttached(state.annotations, config.hook, args.id);
  // gRPC loads while CRIU answers --version: only group members pay for either.
  const [session] = await Promise.all([
    import('../../session/run-session.js'),
    requireCriuForHooks(context.argv.globals.criu ?? 'criu', context.env),
  ]);
  const result = await session.runSession({
    kind: 'checkpoint',
    group: declaration.group,
    member: declaration.member,
    containerId: args.id,
    join: {
      group: declaration.group,
      member: declaration.member,
      kind: 'checkpoint',
      heartbeatMs: config.session.heartbeatMs,
      imageLocation: args.imagePath,
      ...(declaration.size === undefined ? {} : { declaredSize: declaration.size }),
      ...(declaration.members === undefined ? {} : { declaredMembers: declaration.members }),
    },
    coordinator: coordinatorOptions(config, declaration.coordinator),
    runc,
    runcArgs: context.argv.raw,
    globalArgs,
    env: context.env,
    keepFds: args.statusFd === undefined ? [] : [args.statusFd],
    channelDir: join(config.stateDir, 'sessions'),
    imagePath: args.imagePath,
    ...(args.workPath === undefined ? {} : { criuLog: join(args.workPath, 'dump.log') }),
    cohortVersion: cohortVersion(),
    wasPaused: state.status === 'paused',
  });
  if (result.error !== undefined) context.report('error', result.error);
  return { kind: 'done', exitCode: result.exitCode };
}
