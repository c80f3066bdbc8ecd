import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { PortalSender } from '#shared/ports/portal-outbox.ts';

/**
 * A portal sender that appends each message as one JSON line (`messageId`, `dossierCode`,
 * `version`, `service`, `createdAt`, `body`) to a file: for a province not yet connected to the
 * portal, and for the embedded runtime. A message id the file already holds is not written again
 * (the file is read once, on the first send, then followed in memory), so a replay or a retry after
 * a crash leaves one line per message. Sends of one sender are written one at a time.
 */
export function createFilePortalSender(options: { path: string }): PortalSender {
  let written: Promise<Set<string>> | undefined;
  let queue: Promise<unknown> = Promise.resolve();

  async function load(): Promise<Set<string>> {
    let text = '';
    try {
      text = await readFile(options.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      await mkdir(dirname(options.path), { recursive: true });
    }
    // A last line cut short by a crash is ended, so that the next line starts on its own.
    if (text !== '' && !text.endsWith('\n')) await appendFile(options.path, '\n', 'utf8');
    const ids = new Set<string>();
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        const id = (JSON.parse(line) as { messageId?: unknown }).messageId;
        if (typeof id === 'string') ids.add(id);
      } catch {
        // A line cut short by a crash: its message was not written whole, so it is written again.
      }
    }
    return ids;
  }

  return {
    send(message) {
      const run = queue.then(async () => {
        written ??= load().catch((error: unknown) => {
          written = undefined;
          throw error;
        });
        const ids = await written;
        if (!ids.has(message.messageId)) {
          const { messageId, dossierCode, version, service, createdAt, body } = message;
          const line = JSON.stringify({ messageId, dossierCode, version, service, createdAt, body });
          await appendFile(options.path, `${line}\n`, 'utf8');
          ids.add(messageId);
        }
        return { outcome: 'delivered' as const };
      });
      queue = run.catch(() => undefined);
      return run.catch((error: unknown) => ({
        outcome: 'retry' as const,
        error: error instanceof Error ? error.message : String(error),
      }));
    },
  };
}
