import { describe, expect, it } from 'vitest';
import {
  describeObject,
  findObject,
  listManifestFiles,
  readAllObjects,
  type KubeObject,
} from './kubernetes/manifests.js';
import { schemaErrors } from './kubernetes/schema-errors.js';
import { unknownFieldErrors } from './kubernetes/unknown-fields.js';

describe("config/kubernetes against Kubernetes' OpenAPI schemas", () => {
  const objects = readAllObjects();

  it('reads every manifest there', () => {
    expect(listManifestFiles()).toEqual([
      'kubernetes/agent.yaml',
      'kubernetes/cohortd.yaml',
      'kubernetes/pod-example.yaml',
      'kubernetes/runtimeclass.yaml',
    ]);
    expect(objects.length).toBeGreaterThanOrEqual(9);
  });

  it.each(objects)('$where conforms to the schema of its kind', async ({ object }) => {
    expect(await schemaErrors(object)).toEqual([]);
  });

  it('names only fields their kinds have, each with a value of its type', () => {
    expect(unknownFieldErrors(objects)).toEqual([]);
  }, 30_000);
});

type Fields = Record<string, unknown>;
type EditableContainer = Fields & { ports: Fields[] };
/** The parts of the Deployment the broken copies change. */
interface Editable {
  spec: Fields & {
    strategy: Fields;
    template: { spec: { securityContext: Fields; containers: EditableContainer[] } };
  };
}

describe('the same checks on broken objects', () => {
  const deployment = findObject<KubeObject>('kubernetes/cohortd.yaml', 'Deployment');

  /** The shipped Deployment with a mistake made by `edit`. */
  function broken(edit: (copy: Editable, container: EditableContainer) => void): KubeObject {
    const copy = structuredClone(deployment) as KubeObject & Editable;
    const container = copy.spec.template.spec.containers[0];
    if (container === undefined) throw new Error('the Deployment has no container');
    edit(copy, container);
    return copy;
  }

  it('the schemas refuse a wrong type, a value outside an enum and a missing required field', async () => {
    const errors = await schemaErrors(
      broken((d, container) => {
        d.spec.replicas = '1';
        d.spec.strategy.type = 'Recreat';
        delete container.name;
      }),
    );
    expect(errors).toEqual([
      '/spec/replicas must be integer',
      '/spec/strategy/type must be equal to one of the allowed values (Recreate, RollingUpdate)',
      '/spec/template/spec/containers/0 must have required property name',
    ]);
  });

  it('the schemas refuse a kind that does not exist in its apiVersion', async () => {
    expect(await schemaErrors({ ...deployment, apiVersion: 'v1' })).toEqual([
      '/ v1 Deployment is no kind Kubernetes knows',
    ]);
  });

  it('the field check refuses a misspelt field and a wrong type, naming the file, object and path', () => {
    const typo = broken((d, container) => {
      container.imagee = container.image;
      d.spec.template.spec.securityContext.seccompProfil = { type: 'RuntimeDefault' };
    });
    const wrongType = broken((_d, container) => {
      container.ports[0] = { ...container.ports[0], containerPort: '7443' };
    });
    const where = (object: KubeObject) => describeObject('kubernetes/cohortd.yaml', 2, object);
    const errors = unknownFieldErrors([
      { where: where(typo), object: typo },
      { where: where(wrongType), object: wrongType },
    ]);
    expect(errors).toEqual([
      expect.stringMatching(
        /^kubernetes\/cohortd\.yaml#3 Deployment cohortd: \/spec\/template\/spec\/securityContext\/seccompProfil: .*'"seccompProfil"' does not exist in type 'IPodSecurityContext'/,
      ),
      expect.stringMatching(
        /: \/spec\/template\/spec\/containers\/0\/imagee: .*'"imagee"' does not exist in type 'IContainer'/,
      ),
      expect.stringMatching(
        /: \/spec\/template\/spec\/containers\/0\/ports\/0\/containerPort: Type 'string' is not assignable to type 'number'/,
      ),
    ]);
  }, 30_000);
});
