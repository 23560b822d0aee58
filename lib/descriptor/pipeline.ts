// Pipelines: `a | b | c` with kernel pipes made for the children. For each joint the host makes one
// pipe (pipe2, native/addon/syscalls.cc), passes its write end as one stage's stdout (or stderr,
// or both) and its read end as the next stage's stdin in the spawn requests, then closes both: no
// byte of the pipeline passes through the host, which only waits for the exits.
//
// Why declared up front, not `a.pipe(b)` on running children: a child spawned with stdout 'pipe'
// already writes into a socket whose other end is the host's; nothing can re-plumb its fd 1 after
// the spawn, so piping it would mean copying every byte through the host (what execa's pipe()
// does). So the whole pipeline is given at once, and every stage is a Subprocess of its own.
//
// Failures, as execa's pipe() documents them (and as `set -o pipefail` in bash): run() waits for
// every stage; it rejects if any stage failed, with the error of the last failed stage (the one
// closest to the output), and `error.stages` has every stage's exit. One improvement on bash: a
// stage killed by SIGPIPE because the stage it feeds stopped reading did nothing wrong
// (`yes | head -1`) and is not a failure. A stage that cannot be spawned (ENOENT...) throws from
// pipeline(); the stages already started are SIGKILLed first, whole trees, the last stage first.
import { constants as osConstants } from 'node:os';

import { errnoException } from '../core/errno';
import { loadNative } from '../core/native';
import { usingProcdesc } from './capabilities';
import { ERR_INVALID_ARG_TYPE, ERR_INVALID_ARG_VALUE, ERR_INVALID_STATE } from './errors';
import { ownOption } from './options';
import { spawn, type Subprocess, type SubprocessExit, type SubprocessOptions } from './subprocess';

/** Which output of a stage feeds the next stage's stdin. */
export type PipeFrom = 'stdout' | 'stderr' | 'all';

export interface PipelineStageOptions extends SubprocessOptions {
  /** Default 'stdout'; 'all': stdout and stderr into the same pipe (as `2>&1 |`). Ignored on the
   * last stage. */
  from?: PipeFrom;
}

export type PipelineStage = [file: string, args?: readonly string[], options?: PipelineStageOptions];

export interface PipelineStageExit extends SubprocessExit {
  file: string;
  pid: number;
  /** Non-zero code or a signal, except SIGPIPE in a stage that feeds another. */
  failed: boolean;
}

export class PipelineError extends Error {
  readonly stages: PipelineStageExit[];
  /** The stage whose failure this is (the last failed one). */
  readonly stage: number;
  constructor(stages: PipelineStageExit[], stage: number) {
    const s = stages[stage];
    super(`Pipeline stage ${stage} (${s.file}) failed with ${s.signal ?? `exit code ${s.code}`}`);
    this.name = 'PipelineError';
    this.stages = stages;
    this.stage = stage;
  }
}

const { SIGKILL } = osConstants.signals;

function childStdio(options: PipelineStageOptions | undefined): unknown[] {
  const stdio = ownOption(options, 'stdio') ?? 'pipe';
  if (typeof stdio === 'string') return [stdio, stdio, stdio];
  if (!Array.isArray(stdio)) throw new ERR_INVALID_ARG_TYPE('options.stdio', ['string', 'Array'], stdio);
  return [...stdio, ...Array(Math.max(0, 3 - stdio.length)).fill('pipe')];
}

export class Pipeline {
  /** Every stage, first to last. */
  readonly subprocesses: readonly Subprocess[];
  /** Resolves once every stage has exited; never rejects (run() does). */
  readonly exited: Promise<PipelineStageExit[]>;

  /** Use pipeline(). */
  constructor(subprocesses: Subprocess[], files: string[]) {
    this.subprocesses = subprocesses;
    this.exited = Promise.all(subprocesses.map((s) => s.exited)).then((exits) => exits.map((e, i) => {
      // Only the next stage (and what it started) holds the read end of this stage's pipe, so a
      // SIGPIPE here means the next stage stopped reading: it is that stage's choice, not a failure.
      const brokenPipe = e.signal === 'SIGPIPE' && i + 1 < exits.length;
      return { ...e, file: files[i], pid: subprocesses[i].pid, failed: !brokenPipe && (e.code !== 0 || e.signal !== null) };
    }));
  }

  /** The first stage's stdin (if it is a pipe to the host). */
  get stdin() { return this.subprocesses[0].stdin; }
  /** The last stage's stdout (if it is a pipe to the host). */
  get stdout() { return this.subprocesses[this.subprocesses.length - 1].stdout; }

  /** killTree() on every stage, the last first (killFromLast). */
  async killTree(signal?: NodeJS.Signals | number): Promise<void> {
    await Promise.all(killFromLast(this.subprocesses, signal));
  }
}

/** killTree() on each stage, the last first. With SIGKILL (any signal, in walk mode) each one
 * signals its child before its first await, so every child is signalled within this call. Readers
 * first: a writer whose reader died in between is killed by SIGPIPE, which a pipeline counts as no
 * failure; the other way round, a reader would see its writer's EOF and exit 0, a success that
 * never happened. Other signals with a cgroup go after a freeze, in whatever order those finish. */
function killFromLast(stages: readonly Subprocess[], signal?: NodeJS.Signals | number): Promise<void>[] {
  return [...stages].reverse().map((s) => s.killTree(signal));
}

/**
 * Starts `stages` joined by kernel pipes: each stage's stdout (or stderr, or both: `from`) is the
 * next one's stdin. Each stage's other stdio is its own options'. Throws the first spawn error.
 */
export function pipeline(stages: readonly PipelineStage[]): Pipeline {
  if (!Array.isArray(stages) || stages.length < 2) {
    throw new ERR_INVALID_ARG_VALUE('stages', stages, 'must be an array of at least two [file, args?, options?]');
  }
  if (!usingProcdesc()) throw new ERR_INVALID_STATE('pipeline() needs procdesc\'s path (capabilities().path)');
  const binding = loadNative().binding!;
  const started: Subprocess[] = [];
  const files: string[] = [];
  let readEnd = -1; // the previous joint's, for this stage's stdin
  try {
    stages.forEach(([file, args, options], i) => {
      // Own properties only, as Node reads spawn()'s options: a polluted prototype changes nothing.
      const from = ownOption(options, 'from') ?? 'stdout';
      if (from !== 'stdout' && from !== 'stderr' && from !== 'all') {
        throw new ERR_INVALID_ARG_VALUE(`stages[${i}].from`, from, "must be 'stdout', 'stderr' or 'all'");
      }
      const stdio = childStdio(options);
      let writeEnd = -1;
      let nextRead = -1;
      if (i + 1 < stages.length) {
        const ends = binding.pipe();
        if (typeof ends === 'number') throw errnoException(ends, 'pipe');
        [nextRead, writeEnd] = ends;
        if (from !== 'stderr') stdio[1] = writeEnd;
        if (from !== 'stdout') stdio[2] = writeEnd;
      }
      if (readEnd >= 0) stdio[0] = readEnd;
      try {
        const { from: _from, ...rest } = options ?? {};
        started.push(spawn(file, args ? [...args] : [], { ...rest, stdio: stdio as SubprocessOptions['stdio'] }));
        files.push(file);
      } finally {
        // The children have their ends now (or never will): ours would keep the pipes from ending.
        if (readEnd >= 0) binding.close(readEnd);
        if (writeEnd >= 0) binding.close(writeEnd);
        readEnd = nextRead;
      }
    });
  } catch (err) {
    if (readEnd >= 0) binding.close(readEnd);
    // What is thrown is the spawn's error. Each stage's child has its SIGKILL already (in the call);
    // a failure to reach the rest of a tree (a cgroup.kill that cannot be opened: EMFILE, say)
    // must not become an unhandled rejection that takes the host down.
    Promise.all(killFromLast(started, SIGKILL)).catch(() => {});
    throw err;
  }
  return new Pipeline(started, files);
}

/** pipeline(), awaited: every stage's exit, or a PipelineError for the last stage that failed. */
export async function runPipeline(stages: readonly PipelineStage[]): Promise<PipelineStageExit[]> {
  const exits = await pipeline(stages).exited;
  for (let i = exits.length - 1; i >= 0; i--) {
    if (exits[i].failed) throw new PipelineError(exits, i);
  }
  return exits;
}
