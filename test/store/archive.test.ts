import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { gunzipSync } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { testDir } from './support/fixtures.js';
import { describe, expect, it } from 'vitest';
import { makeExtractor } from '../../src/store/archive/extract.js';
import { makeArchiveStream } from '../../src/store/archive/archive-stream.js';
import { makeConfigDump, makeRuncArchiveSource } from '../../src/store/index.js';

const sha = (data: Buffer): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;

function tarList(archive: Buffer): string[] {
  const dir = testDir('archive');
  writeFileSync(join(dir, 'a.tar.gz'), archive);
  return execFileSync('tar', ['-tzf', join(dir, 'a.tar.gz')], { encoding: 'utf8' })
    .trim()
    .split('\n');
}

function imageDir(): string {
  const dir = testDir('image');
  mkdirSync(join(dir, 'checkpoint'));
  writeFileSync(join(dir, 'checkpoint', 'pages-1.img'), Buffer.alloc(300_000, 1));
  writeFileSync(join(dir, 'checkpoint', 'inventory.img'), 'inv');
  writeFileSync(join(dir, 'config.json'), '{"ociVersion":"1.0.2"}');
  writeFileSync(join(dir, 'dump.log'), 'log');
  return dir;
}

describe('member archives', () => {
  it("packs a bare runc checkpoint in the engines' layout, hashing both the tar and the gzip", async () => {
    const dir = imageDir();
    const source = makeRuncArchiveSource({
      imageDir: join(dir, 'checkpoint'),
      specFile: join(dir, 'config.json'),
      workDir: dir,
      configDump: makeConfigDump({ id: 'c1', checkpointedTime: new Date(0) }),
      extra: [{ name: 'checkpoint/cohort-manifest.json', bytes: '{"format":1}' }],
    });
    const archive = makeArchiveStream(source, 6);
    const gz = await buffer(archive.stream);
    const tar = gunzipSync(gz);
    expect(archive.digests()).toEqual({
      digest: sha(gz),
      size: gz.length,
      diffId: sha(tar),
      uncompressedSize: tar.length,
    });
    expect(tarList(gz)).toEqual([
      'checkpoint/',
      'checkpoint/inventory.img',
      'checkpoint/pages-1.img',
      'spec.dump',
      'config.dump',
      'dump.log',
      'checkpoint/cohort-manifest.json',
    ]);
    const configDump = JSON.parse(
      execFileSync('tar', ['-xzOf', '-', 'config.dump'], { input: gz }).toString(),
    ) as Record<string, unknown>;
    expect(configDump).toMatchObject({
      id: 'c1',
      name: 'c1',
      runtime: 'runc',
      checkpointedTime: '1970-01-01T00:00:00.000Z',
    });
  });

  it("passes an engine's tar through byte for byte and appends cohort's entries", async () => {
    const dir = imageDir();
    // GNU tar pads its output to 10 KiB records after the end blocks, as engines may.
    const engineTar = execFileSync('tar', ['-C', dir, '-cf', '-', 'checkpoint', 'config.json']);
    const archive = makeArchiveStream(
      {
        kind: 'tar',
        stream: Readable.from([engineTar]),
        extra: [{ name: 'cohort.json', bytes: '{}' }],
      },
      1,
    );
    const gz = await buffer(archive.stream);
    const tar = gunzipSync(gz);
    expect(tarList(gz)).toEqual([
      'checkpoint/',
      'checkpoint/pages-1.img',
      'checkpoint/inventory.img',
      'config.json',
      'cohort.json',
    ]);
    const endOfEntries =
      engineTar.length -
      Buffer.from(engineTar)
        .reverse()
        .findIndex((b) => b !== 0);
    expect(tar.subarray(0, endOfEntries).equals(engineTar.subarray(0, endOfEntries))).toBe(true);
    expect(archive.digests().diffId).toBe(sha(tar));
  });

  it('fails when the engine stops writing in the middle of its tar', async () => {
    const dir = imageDir();
    const engineTar = execFileSync('tar', ['-C', dir, '-cf', '-', 'checkpoint']);
    const archive = makeArchiveStream(
      { kind: 'tar', stream: Readable.from([engineTar.subarray(0, 20_000)]) },
      1,
    );
    await expect(buffer(archive.stream)).rejects.toThrow(/ended in the middle of an entry/);
  });

  it('refuses a stream that is not an uncompressed tar', async () => {
    const child = spawn('gzip', ['-c'], { stdio: ['pipe', 'pipe', 'ignore'] });
    child.stdin.end(readFileSync('/bin/sh'));
    const archive = makeArchiveStream({ kind: 'tar', stream: child.stdout }, 1);
    await expect(buffer(archive.stream)).rejects.toThrow(/not an uncompressed tar/);
  });
});

describe('extraction', () => {
  async function extractEntries(
    entries: { name: string; type?: 'symlink'; linkname?: string; data?: string }[],
  ): Promise<string> {
    const root = testDir('extract');
    const pack = tar.pack();
    for (const entry of entries) {
      pack.entry(
        entry.type === 'symlink'
          ? { name: entry.name, type: 'symlink', linkname: entry.linkname ?? '' }
          : { name: entry.name },
        entry.data ?? '',
      );
    }
    pack.finalize();
    await pipeline(Readable.from(pack as AsyncIterable<Buffer>), makeExtractor(root));
    return root;
  }

  it('refuses names that leave the target directory, directly or through a symlink', async () => {
    await expect(extractEntries([{ name: '../escape', data: 'x' }])).rejects.toThrow(
      /outside the target/,
    );
    await expect(extractEntries([{ name: '/etc/escape', data: 'x' }])).rejects.toThrow(
      /outside the target/,
    );
    await expect(
      extractEntries([
        { name: 'link', type: 'symlink', linkname: '/tmp' },
        { name: 'link/escape', data: 'x' },
      ]),
    ).rejects.toThrow(/through the symlink/);
  });

  it('writes files and symlinks inside the target', async () => {
    const root = await extractEntries([
      { name: 'checkpoint/pages-1.img', data: 'pages' },
      { name: 'checkpoint/link', type: 'symlink', linkname: 'pages-1.img' },
    ]);
    expect(readFileSync(join(root, 'checkpoint', 'link'), 'utf8')).toBe('pages');
  });
});
