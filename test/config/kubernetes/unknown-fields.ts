import { join } from 'node:path';
import ts from 'typescript';
import { REPO_ROOT } from '../../helpers/runc.js';
import type { ManifestObject } from './manifests.js';

// A module of this checkout (package.json "type": "module"), so kubernetes-models resolves from it.
const CHECK_FILE = join(REPO_ROOT, 'test', 'config', 'kubernetes', 'manifest-objects.check.ts');
const OPTIONS: ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  types: [],
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
};

/**
 * Fields an object's kind does not have, and values of the wrong type, one line per error
 * (`kubernetes/cohortd.yaml#3 Deployment cohortd: /spec/template/spec/containers/0/imagee: ...`).
 * Each object is checked by the TypeScript compiler as a literal of kubernetes-models' interface
 * for its kind (generated from the same OpenAPI spec as its schemas): an object literal may name
 * only the properties its type declares, which is the strictness `kubectl --validate=strict` adds
 * and the schemas lack.
 */
export function unknownFieldErrors(objects: readonly ManifestObject[]): string[] {
  const text = checkSource(objects);
  const host = ts.createCompilerHost(OPTIONS);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (name, language, ...rest) =>
    name === CHECK_FILE
      ? ts.createSourceFile(name, text, language, true)
      : getSourceFile.call(host, name, language, ...rest);
  host.fileExists = (name) => name === CHECK_FILE || fileExists.call(host, name);
  host.readFile = (name) => (name === CHECK_FILE ? text : readFile.call(host, name));
  const program = ts.createProgram([CHECK_FILE], OPTIONS, host);
  const source = program.getSourceFile(CHECK_FILE);
  if (source === undefined) throw new Error(`${CHECK_FILE}: not compiled`);
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ');
    if (diagnostic.file !== source || diagnostic.start === undefined) return message;
    const [index, path] = locate(source, diagnostic.start);
    return `${objects[index]?.where ?? CHECK_FILE}: ${path}: ${message}`;
  });
}

/** One import and one typed constant per object: `const o0: IDeployment = {...};`. */
function checkSource(objects: readonly ManifestObject[]): string {
  const lines = objects.flatMap(({ object }, index) => {
    const { apiVersion = '', kind = '' } = object;
    return [
      `import type { I${kind} as T${index} } from 'kubernetes-models/${apiVersion}/${kind}';`,
      `export const o${index}: T${index} = ${JSON.stringify(object)};`,
    ];
  });
  return lines.join('\n') + '\n';
}

/** Which object a position is in (two statements each), and its JSON path there: [2, '/spec/replicas']. */
function locate(source: ts.SourceFile, position: number): [number, string] {
  const at = source.statements.findIndex((s) => s.pos <= position && position < s.end);
  const statement = source.statements[at];
  const path: string[] = [];
  let node =
    statement !== undefined && ts.isVariableStatement(statement)
      ? statement.declarationList.declarations[0]?.initializer
      : undefined;
  while (node !== undefined) {
    const current: ts.Node = node;
    node = undefined;
    if (ts.isObjectLiteralExpression(current)) {
      const property = current.properties.find((p) => p.pos <= position && position < p.end);
      if (property !== undefined && ts.isPropertyAssignment(property)) {
        path.push(JSON.parse(property.name.getText(source)) as string);
        if (position >= property.initializer.getStart(source)) node = property.initializer;
      }
    } else if (ts.isArrayLiteralExpression(current)) {
      const index = current.elements.findIndex((e) => e.pos <= position && position < e.end);
      if (index >= 0) {
        path.push(String(index));
        node = current.elements[index];
      }
    }
  }
  return [Math.floor(at / 2), '/' + path.join('/')];
}
