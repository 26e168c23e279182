import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { CONFIG_DIR, readConfigFile } from '../paths.js';

/** A Kubernetes object as a manifest holds it; the fields the semantic tests read are typed loosely. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    annotations?: Record<string, string>;
    labels?: Record<string, string>;
  };
  [key: string]: unknown;
}

/** One object of one manifest, named the way an error should name it. */
export interface ManifestObject {
  /** e.g. `kubernetes/cohortd.yaml#3 Deployment cohortd` */
  where: string;
  object: KubeObject;
}

export const KUBERNETES_DIR = join(CONFIG_DIR, 'kubernetes');

/** Every YAML file under config/kubernetes, relative to config/. */
export function listManifestFiles(): string[] {
  return readdirSync(KUBERNETES_DIR)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => `kubernetes/${name}`);
}

/** The objects of a manifest, in order; a YAML error fails with the file and the error. */
export function readObjects(file: string): KubeObject[] {
  const docs = parseAllDocuments(readConfigFile(file));
  if (!Array.isArray(docs)) throw new Error(`${file}: not a YAML stream`);
  for (const doc of docs) {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map(String).join('; ')}`);
  }
  return docs.map((doc) => doc.toJS() as KubeObject);
}

/** Every object of every manifest under config/kubernetes. */
export function readAllObjects(): ManifestObject[] {
  return listManifestFiles().flatMap((file) =>
    readObjects(file).map((object, index) => ({
      where: describeObject(file, index, object),
      object,
    })),
  );
}

export function describeObject(file: string, index: number, object: KubeObject): string {
  return `${file}#${index + 1} ${object.kind ?? '(no kind)'} ${object.metadata?.name ?? '(no name)'}`;
}

/** The one object of a kind in a manifest; fails when there is none or more than one. */
export function findObject<T extends KubeObject>(file: string, kind: string): T {
  const found = readObjects(file).filter((object) => object.kind === kind);
  if (found.length !== 1) throw new Error(`${file}: ${found.length} objects of kind ${kind}`);
  return found[0] as T;
}
