import type * as wire from '../../gen/cohort/v1/records.js';
import { DEFAULT_POLICY, type GroupPolicy } from '../rules/policy.js';
import type {
  CriuOptions,
  EngineName,
  NodeMember,
  StoredCheckpointRecord,
  StoredMemberRecord,
} from '../types.js';
import { optional } from './optional.js';

/** The shared records between the protocol's words and the wire's (proto3: '' and 0 are unset). */
export function storedToWire(checkpoint: StoredCheckpointRecord): wire.StoredCheckpoint {
  return {
    ...checkpoint,
    members: checkpoint.members.map((m) => ({
      ...m,
      engine: m.engine ?? '',
      containerId: m.containerId ?? '',
      bundle: m.bundle ?? '',
      runcRoot: m.runcRoot ?? '',
    })),
  };
}

export function storedFromWire(checkpoint: wire.StoredCheckpoint): StoredCheckpointRecord {
  return {
    group: checkpoint.group,
    epoch: checkpoint.epoch,
    location: checkpoint.location,
    createdAt: checkpoint.createdAt,
    members: checkpoint.members.map(storedMemberFromWire),
  };
}

export function storedMemberFromWire(m: wire.StoredMember): StoredMemberRecord {
  const { member, digest, size, diffId, uncompressedSize, reference } = m;
  return {
    member,
    digest,
    size,
    diffId,
    uncompressedSize,
    reference,
    ...optional({
      engine: engineOf(m.engine),
      containerId: m.containerId || undefined,
      bundle: m.bundle || undefined,
      runcRoot: m.runcRoot || undefined,
    }),
  };
}

export function policyToWire(policy: GroupPolicy): wire.GroupPolicy {
  return {
    ...(policy.intervalMs === undefined ? {} : { intervalMs: policy.intervalMs }),
    store: policy.store ?? '',
    keep: policy.keep,
    onFailure: policy.onFailure,
    leaveRunning: policy.leaveRunning,
    tcpEstablished: policy.tcpEstablished,
    fileLocks: policy.fileLocks,
  };
}

/** A policy from the wire, fields not given taken from `base` (the group's, or the defaults). */
export function policyFromWire(
  p: wire.GroupPolicy,
  fields: readonly string[],
  base: GroupPolicy = DEFAULT_POLICY,
): GroupPolicy {
  const has = (field: string) => fields.includes(field);
  const next: GroupPolicy = { ...base };
  if (has('interval_ms')) {
    if (p.intervalMs === undefined || p.intervalMs === 0) delete next.intervalMs;
    else next.intervalMs = p.intervalMs;
  }
  if (has('store')) {
    if (p.store === '') delete next.store;
    else next.store = p.store;
  }
  if (has('keep')) next.keep = p.keep;
  if (has('on_failure')) next.onFailure = p.onFailure as GroupPolicy['onFailure'];
  if (has('leave_running')) next.leaveRunning = p.leaveRunning;
  if (has('tcp_established')) next.tcpEstablished = p.tcpEstablished;
  if (has('file_locks')) next.fileLocks = p.fileLocks;
  return next;
}

export function criuToWire(options: CriuOptions): wire.CriuOptions {
  return { ...options };
}

export function criuFromWire(options: wire.CriuOptions | undefined): CriuOptions {
  return {
    leaveRunning: options?.leaveRunning ?? false,
    tcpEstablished: options?.tcpEstablished ?? false,
    fileLocks: options?.fileLocks ?? false,
  };
}

export function nodeMemberToWire(m: NodeMember): wire.LocalMember {
  return {
    group: m.group,
    member: m.member,
    engine: m.engine,
    containerId: m.containerId,
    label: m.label,
    state: m.state,
    ...(m.exitCode === undefined ? {} : { exitCode: m.exitCode }),
    oomKilled: m.oomKilled === true,
  };
}

export function nodeMemberFromWire(m: wire.LocalMember): NodeMember | undefined {
  const engine = engineOf(m.engine);
  if (engine === undefined) return undefined;
  const state = m.state === 'running' || m.state === 'paused' ? m.state : 'stopped';
  return {
    group: m.group,
    member: m.member,
    engine,
    containerId: m.containerId,
    label: m.label,
    state,
    ...optional({ exitCode: m.exitCode }),
    ...(m.oomKilled ? { oomKilled: true } : {}),
  };
}

function engineOf(text: string): EngineName | undefined {
  return text === 'podman' || text === 'runc' ? text : undefined;
}
