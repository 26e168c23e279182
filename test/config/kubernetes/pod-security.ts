/** The parts of a pod spec the Pod Security Standards look at. */
interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  privileged?: boolean;
  allowPrivilegeEscalation?: boolean;
  procMount?: string;
  seccompProfile?: { type?: string };
  capabilities?: { add?: string[]; drop?: string[] };
}
interface Container {
  name: string;
  ports?: { hostPort?: number; [field: string]: unknown }[];
  securityContext?: SecurityContext;
  [field: string]: unknown;
}
export interface PodSpec {
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  securityContext?: SecurityContext;
  containers: Container[];
  initContainers?: Container[];
  volumes?: Record<string, unknown>[];
}

// kubernetes.io/docs/concepts/security/pod-security-standards, "Restricted" (which includes Baseline).
const RESTRICTED_VOLUMES = [
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
];
const SECCOMP_ALLOWED = ['RuntimeDefault', 'Localhost'];

/**
 * The rules of the Pod Security Standards' "restricted" level a pod spec breaks, one line per
 * rule and container, in the words of the standard; none when the API server would admit it.
 * The AppArmor, SELinux and sysctl rules are left out: no manifest here sets those fields.
 */
export function restrictedViolations(spec: PodSpec): string[] {
  const out: string[] = [];
  const pod = spec.securityContext ?? {};
  for (const key of ['hostNetwork', 'hostPID', 'hostIPC'] as const)
    if (spec[key] === true) out.push(`host namespaces: ${key} must be unset or false`);
  for (const volume of spec.volumes ?? []) {
    const type = Object.keys(volume).find((key) => key !== 'name') ?? '';
    if (!RESTRICTED_VOLUMES.includes(type))
      out.push(`volume types: volume ${String(volume.name)} is ${type}`);
  }
  if (pod.runAsUser === 0) out.push('running as non-root user: pod runAsUser is 0');
  for (const container of [...spec.containers, ...(spec.initContainers ?? [])]) {
    const context = container.securityContext ?? {};
    const name = `container ${container.name}`;
    if (context.privileged === true) out.push(`privileged: ${name} is privileged`);
    if (context.allowPrivilegeEscalation !== false)
      out.push(`privilege escalation: ${name} must set allowPrivilegeEscalation to false`);
    if ((context.runAsNonRoot ?? pod.runAsNonRoot) !== true)
      out.push(`running as non-root: ${name} must run with runAsNonRoot true`);
    if (context.runAsUser === 0) out.push(`running as non-root user: ${name} has runAsUser 0`);
    const seccomp = context.seccompProfile?.type ?? pod.seccompProfile?.type ?? '';
    if (!SECCOMP_ALLOWED.includes(seccomp))
      out.push(`seccomp: ${name} must run with RuntimeDefault or Localhost, not "${seccomp}"`);
    if (!(context.capabilities?.drop ?? []).includes('ALL'))
      out.push(`capabilities: ${name} must drop ALL`);
    for (const added of context.capabilities?.add ?? [])
      if (added !== 'NET_BIND_SERVICE') out.push(`capabilities: ${name} adds ${added}`);
    if ((context.procMount ?? 'Default') !== 'Default')
      out.push(`/proc mount: ${name} must use the Default procMount`);
    for (const port of container.ports ?? [])
      if ((port.hostPort ?? 0) !== 0)
        out.push(`host ports: ${name} uses hostPort ${port.hostPort}`);
  }
  return out;
}
