/**
 * Spread blob reads over several readers (e.g. several BlobReaders, each one `cat-file --batch`
 * process), so decompression runs on more than one core. Reads are answered per reader in order,
 * and each reader has its own queue.
 */
export interface ClosableReader {
  read(oid: string): Promise<Buffer | undefined>;
  close(): Promise<void>;
}

export function roundRobinReader(readers: readonly ClosableReader[]): ClosableReader {
  if (readers.length === 0) throw new Error('roundRobinReader needs at least one reader');
  let i = 0;
  return {
    read: (oid) => readers[i++ % readers.length].read(oid),
    close: async () => {
      await Promise.all(readers.map((r) => r.close()));
    },
  };
}
