import { Readable } from 'node:stream';
import { ZipFile } from 'yazl';
import type { PackageEntry, ZipWriter } from '#shared/ports/archive-export.ts';

/**
 * ZIP packages with yazl (MIT): each entry is opened only when the ZIP reaches it and streamed
 * through, so no paper sits whole in memory and an entry may depend on those before it; ZIP64
 * records are written only where sizes need them.
 */
export function createZipWriter(): ZipWriter {
  return {
    async *zip(entries, options) {
      const zipfile = new ZipFile();
      const output = zipfile.outputStream as Readable;
      // yazl leaves a source stream's errors to its caller: any failure ends the output with it.
      const fail = (error: Error) => output.destroy(error);
      zipfile.on('error', fail);
      for (const entry of entries) {
        zipfile.addReadStreamLazy(
          entry.name,
          { compress: entry.compress, mtime: options.modifiedAt },
          (callback: (error: Error | null, stream: NodeJS.ReadableStream) => void) => {
            open(entry).then(
              (stream) => callback(null, stream.on('error', fail)),
              (error: Error) => callback(error, Readable.from([])),
            );
          },
        );
      }
      zipfile.end();
      try {
        for await (const chunk of output) yield chunk as Uint8Array;
      } finally {
        output.destroy();
      }
    },
  };
}

async function open(entry: PackageEntry): Promise<Readable> {
  const data = await entry.open();
  return Readable.from(data instanceof Uint8Array ? [data] : data, { objectMode: false });
}
