import type { KubeObject } from './manifests.js';

/** What kubernetes-models exports for a kind: a model whose validate() runs the kind's schema. */
type ModelModule = Record<string, new (data: unknown) => { validate(): void }>;

interface AjvError {
  instancePath: string;
  message?: string;
  params?: { allowedValues?: unknown[] };
}

/**
 * Where an object breaks Kubernetes' OpenAPI schema for its apiVersion and kind, one line per
 * error (`/spec/replicas must be integer`); none when it conforms. The schemas are the ones
 * kubernetes-models generated from Kubernetes' OpenAPI spec and compiled with ajv: types,
 * required fields, enums and formats. They allow unknown fields, as the API server's schema does;
 * unknownFieldErrors catches those.
 */
export async function schemaErrors(object: KubeObject): Promise<string[]> {
  const { apiVersion, kind } = object;
  if (apiVersion === undefined || kind === undefined) return ['/ must have apiVersion and kind'];
  let model: ModelModule;
  try {
    // A specifier in a variable: vite leaves it to Node, which resolves kubernetes-models' exports.
    const specifier = `kubernetes-models/${apiVersion}/${kind}`;
    model = (await import(/* @vite-ignore */ specifier)) as ModelModule;
  } catch {
    return [`/ ${apiVersion} ${kind} is no kind Kubernetes knows`];
  }
  const Model = model[kind];
  if (Model === undefined) return [`/ ${apiVersion} ${kind} is no kind Kubernetes knows`];
  try {
    new Model(object).validate();
    return [];
  } catch (error) {
    const errors = (error as { errors?: AjvError[] }).errors;
    if (errors === undefined) throw error;
    return errors.map((e) => {
      const allowed = e.params?.allowedValues;
      const suffix = allowed === undefined ? '' : ` (${allowed.join(', ')})`;
      return `${e.instancePath || '/'} ${e.message ?? 'is invalid'}${suffix}`;
    });
  }
}
