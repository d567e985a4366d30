import type { ChildProcess } from 'node:child_process';

export function acceptsConnections(port: number): Promise<boolean>;
export function stopServerProcess(child: ChildProcess): Promise<void>;
